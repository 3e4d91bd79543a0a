package io.castpipe.common.events;

import java.time.Instant;

/**
 * A request to transcode a video's uploaded source; the {@code vod.jobs} record, keyed by video id.
 * {@code jobId} names this upload's transcode: the same job sent again (a stuck video re-driven, a
 * record relayed twice) carries the same id, and a transcoder that already did it announces the
 * outcome instead of doing it again. Null in records written before there were job ids.
 */
public record VodJob(String videoId, String sourceKey, Instant requestedAt, String jobId) {
}
