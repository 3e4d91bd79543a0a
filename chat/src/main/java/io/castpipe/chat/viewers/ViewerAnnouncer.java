package io.castpipe.chat.viewers;

import java.time.Duration;

import io.castpipe.chat.room.Rooms;
import io.castpipe.common.node.Supervised;
import io.castpipe.common.node.Supervisor;

/** Every interval, tells each open room its channel's viewer count, when it changed. */
public final class ViewerAnnouncer implements AutoCloseable {
    private final Rooms rooms;
    private final ChannelViewers viewers;
    private final Duration interval;
    private Supervised turns;

    public ViewerAnnouncer(Rooms rooms, ChannelViewers viewers, Duration interval) {
        this.rooms = rooms;
        this.viewers = viewers;
        this.interval = interval;
    }

    public void start(Supervisor supervisor) {
        turns = supervisor.every("chat-viewer-announcer", interval, interval.plusSeconds(60),
                () -> rooms.forEachOpen(room -> room.announceViewers(viewers.viewers(room.channel()))));
    }

    @Override
    public void close() {
        if (turns != null) {
            turns.close();
        }
    }
}
