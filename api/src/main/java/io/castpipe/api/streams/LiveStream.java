package io.castpipe.api.streams;

import java.time.Instant;

/**
 * One broadcast of a channel, from ingest's STARTED to its ENDED, with the latest figures ingest
 * measured and what the transcoder last said of its ladder.
 */
public record LiveStream(String id, String channelId, String channelName, String status, Instant startedAt,
                         Instant endedAt, String videoCodec, String audioCodec, String metadataJson, String endReason,
                         String ingestJson, String ladderJson) {
}
