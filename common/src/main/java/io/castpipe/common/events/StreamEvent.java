package io.castpipe.common.events;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A live stream began or ended; the {@code stream.events} record (JSON), keyed by stream id.
 * STARTED carries what ingest knows of the media when the first audio or video arrives: the
 * codecs and the publisher's {@code onMetaData} values (width, height, framerate, encoder…).
 * STATS carries {@code ingest}, what ingest measured of the media while live, every few seconds.
 * ENDED carries {@code reason}: why the stream stopped (the publisher ended it, the connection
 * closed, an error). ALIVE is ingest's word, every {@link #ALIVE_EVERY}, that the stream is
 * still coming in: a live stream that stops hearing it has lost its ingest process. VIEWERS is
 * one origin node's periodic count of the stream's viewers ({@code viewers}, {@code node}), with
 * no channel fields. LADDER carries {@code ladder}, how the transcoder holding the stream encodes
 * its renditions ({@code node} is that transcoder), every few seconds and at each change.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StreamEvent(String streamId, String channelId, String channelName, Type type, Instant at,
                          String videoCodec, String audioCodec, Map<String, Object> metadata, String reason,
                          IngestFigures ingest, Integer viewers, String node, LadderFigures ladder) {

    /** How often ingest says ALIVE for each stream it holds. */
    public static final Duration ALIVE_EVERY = Duration.ofSeconds(2);

    public enum Type {
        STARTED, ENDED, STATS, VIEWERS, ALIVE, LADDER
    }

    public static StreamEvent started(String streamId, String channelId, String channelName, String videoCodec,
                                      String audioCodec, Map<String, Object> metadata) {
        return new StreamEvent(streamId, channelId, channelName, Type.STARTED, Instant.now(), videoCodec, audioCodec,
                metadata, null, null, null, null, null);
    }

    public static StreamEvent ended(String streamId, String channelId, String channelName, String reason) {
        return new StreamEvent(streamId, channelId, channelName, Type.ENDED, Instant.now(), null, null, null, reason, null,
                null, null, null);
    }

    public static StreamEvent stats(String streamId, String channelId, String channelName, IngestFigures ingest) {
        return new StreamEvent(streamId, channelId, channelName, Type.STATS, ingest.measuredAt(), null, null, null, null,
                ingest, null, null, null);
    }

    public static StreamEvent alive(String streamId, String channelId) {
        return new StreamEvent(streamId, channelId, null, Type.ALIVE, Instant.now(), null, null, null, null, null, null,
                null, null);
    }

    /** How many viewers origin node {@code node} counts for the stream now. */
    public static StreamEvent viewers(String streamId, int viewers, String node) {
        return new StreamEvent(streamId, null, null, Type.VIEWERS, Instant.now(), null, null, null, null, null, viewers,
                node, null);
    }

    /** How transcoder {@code node} encodes the stream's ladder now. */
    public static StreamEvent ladder(String streamId, String channelId, LadderFigures ladder, String node) {
        return new StreamEvent(streamId, channelId, null, Type.LADDER, ladder.measuredAt(), null, null, null, null, null, null,
                node, ladder);
    }
}
