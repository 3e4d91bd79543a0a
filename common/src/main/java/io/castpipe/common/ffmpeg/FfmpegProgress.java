package io.castpipe.common.ffmpeg;

import java.time.Duration;

/** One report from ffmpeg's {@code -progress} output: how far into the media it has got. */
public record FfmpegProgress(Duration outTime, long frame, double fps, double speed, boolean ended) {
}
