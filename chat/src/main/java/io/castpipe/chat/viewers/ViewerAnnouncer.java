package io.castpipe.chat.viewers;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.castpipe.chat.room.Rooms;
import io.castpipe.common.node.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every interval, tells each open room its channel's viewer count, when it changed. */
public final class ViewerAnnouncer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ViewerAnnouncer.class);

    private final Rooms rooms;
    private final ChannelViewers viewers;
    private final Duration interval;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("chat-viewers"));

    public ViewerAnnouncer(Rooms rooms, ChannelViewers viewers, Duration interval) {
        this.rooms = rooms;
        this.viewers = viewers;
        this.interval = interval;
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::announce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void announce() {
        try {
            rooms.forEachOpen(room -> room.announceViewers(viewers.viewers(room.channel())));
        } catch (RuntimeException e) {
            log.warn("viewer counts not announced, next in {} s: {}", interval.toSeconds(), e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
