package io.castpipe.common.events;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Something that happened to a video; the {@code video.events} record, keyed by video id. Only
 * the fields that fit the type are set: {@code progress} for PROGRESS, {@code error} for FAILED,
 * {@code durationSeconds}, {@code source} and {@code renditions} for READY.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VideoEvent(String videoId, Type type, Instant at, Double progress, ErrorInfo error,
                         Double durationSeconds, SourceInfo source, List<RenditionInfo> renditions) {

    public enum Type {
        /** the source is complete in storage and a job is queued */
        UPLOADED,
        /** a worker picked the job up */
        PROCESSING,
        /** how far the worker is, 0..1 */
        PROGRESS,
        /** every rendition and the master playlist are in storage */
        READY,
        /** the video cannot be made playable; {@code error} says why */
        FAILED
    }

    public static VideoEvent uploaded(String videoId) {
        return new VideoEvent(videoId, Type.UPLOADED, Instant.now(), null, null, null, null, null);
    }

    public static VideoEvent processing(String videoId) {
        return new VideoEvent(videoId, Type.PROCESSING, Instant.now(), 0.0, null, null, null, null);
    }

    public static VideoEvent progress(String videoId, double progress) {
        return new VideoEvent(videoId, Type.PROGRESS, Instant.now(), progress, null, null, null, null);
    }

    public static VideoEvent ready(String videoId, double durationSeconds, SourceInfo source, List<RenditionInfo> renditions) {
        return new VideoEvent(videoId, Type.READY, Instant.now(), 1.0, null, durationSeconds, source, renditions);
    }

    public static VideoEvent failed(String videoId, String code, String message) {
        return new VideoEvent(videoId, Type.FAILED, Instant.now(), null, new ErrorInfo(code, message), null, null, null);
    }
}
