package io.castpipe.common.events;

import java.time.Instant;

/** A request to transcode a video's uploaded source; the {@code vod.jobs} record, keyed by video id. */
public record VodJob(String videoId, String sourceKey, Instant requestedAt) {
}
