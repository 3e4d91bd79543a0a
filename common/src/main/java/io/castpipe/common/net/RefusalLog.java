package io.castpipe.common.net;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

/**
 * One log line for many refused connections of one kind: the first at once, the ones after it
 * at most once per interval with how many there were and the latest of them. A client refused
 * over and over counts in the listener's meter and does not fill the log.
 */
public final class RefusalLog {
    private final Logger log;
    private final String what;
    private final long intervalNanos;
    private final AtomicLong unlogged = new AtomicLong();
    private final AtomicLong nextLineNanos = new AtomicLong(System.nanoTime());

    /**
     * @param log  the listener's logger
     * @param what what was refused and why, e.g. "RTMP connection(s): over 10 from one address"
     */
    public RefusalLog(Logger log, String what, Duration interval) {
        this.log = log;
        this.what = what;
        this.intervalNanos = interval.toNanos();
    }

    /** Counts one refusal of {@code latest} (an address, a user) and logs when a line is due. */
    public void refused(Object latest) {
        unlogged.incrementAndGet();
        long now = System.nanoTime();
        long due = nextLineNanos.get();
        if (now - due >= 0 && nextLineNanos.compareAndSet(due, now + intervalNanos)) {
            log.warn("refused {} {} (the latest: {}); such lines come at most every {} s",
                    unlogged.getAndSet(0), what, latest, Duration.ofNanos(intervalNanos).toSeconds());
        }
    }
}
