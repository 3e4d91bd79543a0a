package io.castpipe.common.ffmpeg;

import java.time.Duration;
import java.util.List;

/** How a finished ffmpeg run went, with the last lines it wrote to stderr (e.g. its {@code -benchmark} report). */
public record FfmpegResult(int exitCode, Duration elapsed, List<String> stderrTail) {
}
