package io.castpipe.origin.live;

import io.castpipe.common.events.HlsUpdate;
import io.castpipe.common.kafka.EventConsumer;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.node.Supervisor;
import io.castpipe.origin.cache.ObjectCache;

/**
 * Puts what the packagers announce on {@code hls.updates} into this node's memory as it happens,
 * so that the newest segments and playlists of a live stream are served without a storage read
 * per viewer, and releases the playlist requests that were {@link BlockedReloads blocked} waiting
 * for them. Announcements come after the object is in storage, so a miss is always safe. A
 * playlist's delta update, which is never in storage, goes to {@link PlaylistDeltas} first; where
 * its window starts, to {@link LiveWindows}.
 */
public final class LiveUpdates implements AutoCloseable {
    private final ObjectCache cache;
    private final BlockedReloads reloads;
    private final PlaylistDeltas deltas;
    private final LiveWindows windows;
    private final EventConsumer<HlsUpdate> consumer;

    public LiveUpdates(Supervisor supervisor, KafkaSettings kafka, Topics topics, ObjectCache cache, BlockedReloads reloads, PlaylistDeltas deltas,
                       LiveWindows windows) {
        this.cache = cache;
        this.reloads = reloads;
        this.deltas = deltas;
        this.windows = windows;
        this.consumer = EventConsumer.ofEveryRecord(supervisor, "hls-updates", kafka, topics, Topic.HLS_UPDATES,
                HlsUpdate.class, this::apply, true);
    }

    public void start() {
        consumer.start();
    }

    void apply(HlsUpdate update) {
        if (update.key() == null || !update.key().startsWith("live/")) {
            return;
        }
        if (update.kind() == HlsUpdate.Kind.PLAYLIST) {
            deltas.published(update.key(), update.bytes(), update.delta());
        }
        if (update.bytes() != null) {
            if (update.kind() == HlsUpdate.Kind.PLAYLIST) {
                windows.published(update.key(), update.bytes());
            }
            cache.put(update.key(), update.bytes());
            if (update.kind() == HlsUpdate.Kind.PLAYLIST) {
                reloads.published(update.key(), update.bytes());
            }
        } else {
            cache.invalidate(update.key());
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
