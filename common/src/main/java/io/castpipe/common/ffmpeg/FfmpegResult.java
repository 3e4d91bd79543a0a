package io.castpipe.common.ffmpeg;

import java.time.Duration;

/** How a finished ffmpeg run went. */
public record FfmpegResult(int exitCode, Duration elapsed, Duration cpuTime) {
}
