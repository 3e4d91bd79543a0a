package io.castpipe.ingest.publish;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Consumer;

/**
 * A publish this process holds: its channel, its stream, the key it was opened with, and how to
 * end it from any thread (the connection's event loop does the ending).
 */
public final class LivePublish {
    private final String channelId;
    private final String streamId;
    private final byte[] streamKey;
    private final Consumer<String> ending;

    /** @param ending ends the publish with a {@code StreamControl} reason; callable from any thread */
    public LivePublish(String channelId, String streamId, String streamKey, Consumer<String> ending) {
        this.channelId = channelId;
        this.streamId = streamId;
        this.streamKey = streamKey.getBytes(StandardCharsets.UTF_8);
        this.ending = ending;
    }

    public String channelId() {
        return channelId;
    }

    public String streamId() {
        return streamId;
    }

    public String streamKey() {
        return new String(streamKey, StandardCharsets.UTF_8);
    }

    /** True when this publish was opened with {@code key}; compared in constant time. */
    public boolean openedWith(String key) {
        return MessageDigest.isEqual(streamKey, key.getBytes(StandardCharsets.UTF_8));
    }

    /** Tells the encoder why, ends the stream (ENDED with {@code reason}, the channel free at once) and closes. */
    public void end(String reason) {
        ending.accept(reason);
    }

    @Override
    public String toString() {
        return "stream " + streamId + " of channel " + channelId;
    }
}
