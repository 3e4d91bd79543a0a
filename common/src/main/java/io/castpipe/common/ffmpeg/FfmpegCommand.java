package io.castpipe.common.ffmpeg;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/** What to run: ffmpeg's arguments, a deadline, and who hears its progress. */
public final class FfmpegCommand {
    private final Ffmpeg runner;
    private final String tag;
    private final List<String> args = new ArrayList<>();
    private Duration timeout;
    private Consumer<FfmpegProgress> progress;
    private boolean stdin;

    FfmpegCommand(Ffmpeg runner, String tag, Duration timeout) {
        this.runner = runner;
        this.tag = tag;
        this.timeout = timeout;
    }

    public FfmpegCommand args(String... more) {
        Collections.addAll(args, more);
        return this;
    }

    public FfmpegCommand args(List<String> more) {
        args.addAll(more);
        return this;
    }

    public FfmpegCommand timeout(Duration t) {
        this.timeout = t;
        return this;
    }

    /** Asks ffmpeg for {@code -progress} reports on its stdout and passes each one on. */
    public FfmpegCommand onProgress(Consumer<FfmpegProgress> listener) {
        this.progress = listener;
        return this;
    }

    /** Gives ffmpeg a pipe on its standard input, for {@code -i pipe:0}; {@link FfmpegJob#stdin()} writes to it. */
    public FfmpegCommand withStdin() {
        this.stdin = true;
        return this;
    }

    public FfmpegJob start() {
        return runner.start(this);
    }

    /** Runs to the end. @throws FfmpegException when ffmpeg fails, times out or is killed */
    public FfmpegResult run() {
        return start().await();
    }

    String tag() {
        return tag;
    }

    Duration timeout() {
        return timeout;
    }

    Consumer<FfmpegProgress> progress() {
        return progress;
    }

    boolean stdin() {
        return stdin;
    }

    List<String> commandLine(String binary) {
        List<String> line = new ArrayList<>();
        line.add(binary);
        line.add("-hide_banner");
        line.add("-nostdin");
        if (progress != null) {
            line.add("-progress");
            line.add("pipe:1");
            line.add("-nostats");
        }
        line.addAll(args);
        return line;
    }
}
