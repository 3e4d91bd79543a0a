package io.castpipe.transcoder.live;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes an FLV stream: the header, then each tag exactly as RTMP carried it. This is how media
 * records from Kafka become ffmpeg's input again, without re-muxing anything.
 */
public final class FlvWriter {
    public static final int AUDIO = 8;
    public static final int VIDEO = 9;
    public static final int SCRIPT = 18;

    private final OutputStream out;

    public FlvWriter(OutputStream out) {
        this.out = out;
    }

    public void header(boolean audio, boolean video) throws IOException {
        out.write(new byte[] {'F', 'L', 'V', 1, (byte) ((audio ? 4 : 0) | (video ? 1 : 0)), 0, 0, 0, 9, 0, 0, 0, 0});
    }

    /** One tag; {@code timestampMs} is the RTMP timestamp, wrapped into FLV's 24+8 bits. */
    public void tag(int type, long timestampMs, byte[] body) throws IOException {
        int size = body.length;
        if (size > 0xFFFFFF) {
            throw new IllegalArgumentException("an FLV tag holds at most 16 MiB");
        }
        int ts = (int) timestampMs;
        byte[] h = {(byte) type, (byte) (size >> 16), (byte) (size >> 8), (byte) size,
                (byte) (ts >> 16), (byte) (ts >> 8), (byte) ts, (byte) (ts >> 24), 0, 0, 0};
        out.write(h);
        out.write(body);
        int previous = 11 + size;
        out.write(new byte[] {(byte) (previous >> 24), (byte) (previous >> 16), (byte) (previous >> 8), (byte) previous});
    }

    public void flush() throws IOException {
        out.flush();
    }
}
