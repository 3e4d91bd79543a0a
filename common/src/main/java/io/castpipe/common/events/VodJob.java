package io.castpipe.common.events;

import java.time.Instant;

import io.castpipe.common.media.ObjectKeys;

/**
 * A request to make a video playable; the {@code vod.jobs} record, keyed by video id. An
 * {@code UPLOAD} job transcodes the uploaded source; a {@code RECORDING} job makes a finished live
 * stream's recording from what its live renditions left in storage, for a stream whose worker
 * stopped before making it. {@code jobId} names the job: the same job sent again (a stuck video
 * re-driven, a record relayed twice) carries the same id, and a transcoder that already did it
 * announces the outcome instead of doing it again. Null in records written before there were job
 * ids, as {@code kind} is (an upload).
 */
public record VodJob(String videoId, String sourceKey, Instant requestedAt, String jobId, Kind kind) {

    public enum Kind {
        UPLOAD, RECORDING
    }

    /** The transcode of a video's uploaded source. */
    public VodJob(String videoId, String sourceKey, Instant requestedAt, String jobId) {
        this(videoId, sourceKey, requestedAt, jobId, Kind.UPLOAD);
    }

    /** The recording of live stream {@code streamId} (the video has the stream's id). */
    public static VodJob recording(String streamId, Instant requestedAt, String jobId) {
        return new VodJob(streamId, ObjectKeys.livePrefix(streamId), requestedAt, jobId, Kind.RECORDING);
    }

    public boolean isRecording() {
        return kind == Kind.RECORDING;
    }
}
