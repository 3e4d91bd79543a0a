package io.castpipe.common.events;

import java.util.Objects;

import io.castpipe.common.media.LatencyMode;

/**
 * One FLV tag of a live stream as ingest received it; the {@code media.live} record, keyed by
 * stream id and encoded by {@link MediaTagCodec}. {@code payload} is the FLV tag body: for video
 * the frame-type/codec byte, the AVC packet type, the composition time and the NAL units; for
 * audio the sound-format byte, the AAC packet type and the frame; for script data the AMF0
 * values ({@code "onMetaData"} and its array).
 *
 * @param timestamp     the stream's timestamp in milliseconds (RTMP's, not wall-clock)
 * @param ingestedAt    wall-clock epoch milliseconds when ingest received the tag
 * @param latency       the channel's latency mode, on every tag so that whichever worker
 *                      picks the stream up (also mid-way) packages it the same way
 */
public record MediaTag(String streamId, String channelId, Kind kind, long timestamp, boolean keyframe,
                       boolean sequenceHeader, byte[] payload, long ingestedAt, LatencyMode latency) {

    public enum Kind {
        AUDIO, VIDEO, SCRIPT
    }

    public MediaTag {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(latency, "latency");
    }
}
