package io.castpipe.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What probing found in an uploaded source. {@code width} and {@code height} are as displayed,
 * after {@code rotation}; {@code audioCodec} is null when there is no audio.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceInfo(String container, double durationSeconds, int width, int height, int rotation,
                         double frameRate, String videoCodec, String pixelFormat, String audioCodec,
                         long bitrate, long sizeBytes) {
}
