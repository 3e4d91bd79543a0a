package io.castpipe.common.ffmpeg;

import java.util.List;

/** ffmpeg failed; the message carries its last words on stderr, which usually say why. */
public class FfmpegException extends RuntimeException {
    private final List<String> stderrTail;

    public FfmpegException(String message, List<String> stderrTail) {
        super(message);
        this.stderrTail = List.copyOf(stderrTail);
    }

    public List<String> stderrTail() {
        return stderrTail;
    }
}
