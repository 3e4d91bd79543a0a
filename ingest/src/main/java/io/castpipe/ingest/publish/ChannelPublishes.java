package io.castpipe.ingest.publish;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.castpipe.common.events.StreamControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Which channels are live on this process, and the publish holding each: one publisher per channel. */
public final class ChannelPublishes {
    private static final Logger log = LoggerFactory.getLogger(ChannelPublishes.class);

    private final ConcurrentHashMap<String, LivePublish> byChannel = new ConcurrentHashMap<>();

    /**
     * Claims the publish's channel; false when a publish opened with the same key holds it. One
     * opened with another key has a key rotated since (the caller has just found that this
     * publish's key opens the channel now), and the order to end it may still be on its way: the
     * channel is handed over and that publish ended with {@code key_rotated}.
     */
    public boolean claim(LivePublish publish) {
        while (true) {
            LivePublish holder = byChannel.putIfAbsent(publish.channelId(), publish);
            if (holder == null) {
                return true;
            }
            if (holder.openedWith(publish.streamKey())) {
                return false;
            }
            if (byChannel.replace(publish.channelId(), holder, publish)) {
                log.info("{} taken over by stream {}: its key was rotated", holder, publish.streamId());
                holder.end(StreamControl.KEY_ROTATED);
                return true;
            }
        }
    }

    public Optional<LivePublish> holder(String channelId) {
        return Optional.ofNullable(byChannel.get(channelId));
    }

    /** Frees the channel, if {@code publish} still holds it. */
    public void release(LivePublish publish) {
        byChannel.remove(publish.channelId(), publish);
    }

    /** The publishes live on this process now. */
    public Collection<LivePublish> publishes() {
        return List.copyOf(byChannel.values());
    }

    public int size() {
        return byChannel.size();
    }
}
