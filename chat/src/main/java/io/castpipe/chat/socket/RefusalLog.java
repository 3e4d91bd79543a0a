package io.castpipe.chat.socket;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line for many refused connections of one kind: the first is logged at once, the ones
 * after it at most once per {@link #INTERVAL}, with how many there were. A client refused over
 * and over counts in the meter, and does not fill the log.
 */
final class RefusalLog {
    private static final Logger log = LoggerFactory.getLogger(ChatServer.class);
    static final Duration INTERVAL = Duration.ofSeconds(10);

    private final String why;
    private final AtomicLong unlogged = new AtomicLong();
    private final AtomicLong nextLineNanos = new AtomicLong(System.nanoTime());

    /** @param why what the refused were over, e.g. "over 100 connections per address" */
    RefusalLog(String why) {
        this.why = why;
    }

    void refused(Object latest) {
        unlogged.incrementAndGet();
        long now = System.nanoTime();
        long next = nextLineNanos.get();
        if (now - next >= 0 && nextLineNanos.compareAndSet(next, now + INTERVAL.toNanos())) {
            log.warn("chat: refused {} connection(s) {} (the latest: {}); such lines come at most every {} s",
                    unlogged.getAndSet(0), why, latest, INTERVAL.toSeconds());
        }
    }
}
