package io.castpipe.ingest.publish;

import java.nio.charset.StandardCharsets;

import io.castpipe.ingest.chunk.RtmpProtocolException;

/** What the first bytes of an FLV audio or video tag body say, and whether Castpipe takes it. */
public final class FlvTags {
    public static final int CODEC_AVC = 7;
    public static final int SOUND_AAC = 10;

    private FlvTags() {
    }

    /** The codec check failed: why, in words a streamer can act on. */
    public static final class UnsupportedMedia extends Exception {
        public UnsupportedMedia(String message) {
            super(message);
        }
    }

    /** {@code frame}: the tag carries a picture or a sound, not a sequence header, an end of sequence or a command. */
    public record Info(boolean keyframe, boolean sequenceHeader, boolean frame) {
    }

    public static Info video(byte[] body) throws UnsupportedMedia {
        if (body.length < 1) {
            throw new RtmpProtocolException("empty video message");
        }
        int b = body[0] & 0xff;
        if ((b & 0x80) != 0) {
            String fourCc = body.length >= 5 ? new String(body, 1, 4, StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "?") : "?";
            throw new UnsupportedMedia("Enhanced RTMP video (" + fourCc + ") is not supported; send H.264 video");
        }
        int codec = b & 0x0f;
        if (codec != CODEC_AVC) {
            throw new UnsupportedMedia("video codec id " + codec + " is not supported; send H.264 video (FLV codec id 7)");
        }
        int frameType = (b >>> 4) & 0x07;
        if (body.length < 2) {
            throw new RtmpProtocolException("H.264 video message of " + body.length + " byte");
        }
        int packetType = body[1] & 0xff;
        return new Info(frameType == 1, packetType == 0 && frameType != 5, packetType == 1 && frameType != 5);
    }

    public static Info audio(byte[] body) throws UnsupportedMedia {
        if (body.length < 1) {
            throw new RtmpProtocolException("empty audio message");
        }
        int format = (body[0] & 0xff) >>> 4;
        if (format == 9) {
            throw new UnsupportedMedia("Enhanced RTMP audio is not supported; send AAC audio");
        }
        if (format != SOUND_AAC) {
            throw new UnsupportedMedia("audio format " + format + " is not supported; send AAC audio (FLV sound format 10)");
        }
        if (body.length < 2) {
            throw new RtmpProtocolException("AAC audio message of " + body.length + " byte");
        }
        return new Info(false, (body[1] & 0xff) == 0, (body[1] & 0xff) == 1);
    }
}
