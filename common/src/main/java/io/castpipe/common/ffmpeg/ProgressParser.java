package io.castpipe.common.ffmpeg;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Reads the key=value lines of ffmpeg's {@code -progress} output. A block ends with a
 * {@code progress=continue} or {@code progress=end} line, which emits one {@link FfmpegProgress}.
 */
final class ProgressParser {
    private final Consumer<FfmpegProgress> listener;
    private long outTimeUs;
    private long frame;
    private double fps;
    private double speed;

    ProgressParser(Consumer<FfmpegProgress> listener) {
        this.listener = listener;
    }

    void line(String line) {
        int eq = line.indexOf('=');
        if (eq <= 0) {
            return;
        }
        String key = line.substring(0, eq).trim();
        String value = line.substring(eq + 1).trim();
        switch (key) {
            // ffmpeg 4.x prints microseconds under out_time_ms as well; out_time_us is the honest name.
            case "out_time_us", "out_time_ms" -> outTimeUs = Math.max(outTimeUs, parseLong(value));
            case "frame" -> frame = parseLong(value);
            case "fps" -> fps = parseDouble(value);
            case "speed" -> speed = parseDouble(value.endsWith("x") ? value.substring(0, value.length() - 1) : value);
            case "progress" -> listener.accept(new FfmpegProgress(
                    Duration.ofNanos(outTimeUs * 1000), frame, fps, speed, "end".equals(value)));
            default -> {
            }
        }
    }

    private static long parseLong(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0; // "N/A" before the first frame
        }
    }

    private static double parseDouble(String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
