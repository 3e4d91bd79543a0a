package io.castpipe.ingest.publish;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Which channels are live on this process, and the publish holding each: one publisher per channel. */
public final class LiveChannels {
    private final ConcurrentHashMap<String, LivePublish> byChannel = new ConcurrentHashMap<>();

    /** Claims the publish's channel; false when another publish holds it. */
    public boolean claim(LivePublish publish) {
        return byChannel.putIfAbsent(publish.channelId(), publish) == null;
    }

    /** Hands the channel from {@code holder} to {@code publish}; false when {@code holder} no longer holds it. */
    public boolean takeOver(LivePublish holder, LivePublish publish) {
        return byChannel.replace(publish.channelId(), holder, publish);
    }

    public Optional<LivePublish> holder(String channelId) {
        return Optional.ofNullable(byChannel.get(channelId));
    }

    /** Frees the channel, if {@code publish} still holds it. */
    public void release(LivePublish publish) {
        byChannel.remove(publish.channelId(), publish);
    }

    public int size() {
        return byChannel.size();
    }
}
