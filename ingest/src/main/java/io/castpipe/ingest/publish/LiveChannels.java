package io.castpipe.ingest.publish;

import java.util.concurrent.ConcurrentHashMap;

/** Which channels are live on this process, so that a second publisher to one is refused. */
public final class LiveChannels {
    private final ConcurrentHashMap<String, String> streamByChannel = new ConcurrentHashMap<>();

    /** Claims the channel for a stream; false when another stream has it. */
    public boolean claim(String channelId, String streamId) {
        return streamByChannel.putIfAbsent(channelId, streamId) == null;
    }

    public void release(String channelId, String streamId) {
        streamByChannel.remove(channelId, streamId);
    }

    public int size() {
        return streamByChannel.size();
    }
}
