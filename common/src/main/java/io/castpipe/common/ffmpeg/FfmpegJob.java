package io.castpipe.common.ffmpeg;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.castpipe.common.node.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running ffmpeg process. */
public final class FfmpegJob {
    private static final Logger log = LoggerFactory.getLogger(FfmpegJob.class);
    private static final int STDERR_TAIL_LINES = 120;

    private final String tag;
    private final Process process;
    private final long startNanos = System.nanoTime();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final Thread stderrReader;
    private final Thread progressReader;
    private volatile String killedBecause;

    private FfmpegJob(String tag, Process process, Consumer<FfmpegProgress> progress) {
        this.tag = tag;
        this.process = process;
        this.stderrReader = reader("stderr", process.getErrorStream(), this::stderrLine);
        ProgressParser parser = progress == null ? null : new ProgressParser(progress);
        this.progressReader = parser == null ? null : reader("progress", process.getInputStream(), parser::line);
    }

    static FfmpegJob start(List<String> launcher, Path binary, FfmpegCommand command) {
        List<String> line = command.commandLine(binary.toString());
        List<String> full = new java.util.ArrayList<>(launcher);
        full.addAll(line);
        ProcessBuilder pb = new ProcessBuilder(full);
        if (!command.stdin()) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        if (command.progress() == null) {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start ffmpeg for " + command.tag(), e);
        }
        log.debug("ffmpeg [{}] started, pid {}: {}", command.tag(), p.pid(), String.join(" ", line));
        return new FfmpegJob(command.tag(), p, command.progress());
    }

    CompletableFuture<Process> exited() {
        return process.onExit();
    }

    /** ffmpeg's standard input; only for a command made {@link FfmpegCommand#withStdin() withStdin}. */
    public java.io.OutputStream stdin() {
        return process.getOutputStream();
    }

    public long pid() {
        return process.pid();
    }

    /** Waits for the end. @throws FfmpegException unless ffmpeg exited with status 0 */
    public FfmpegResult await() {
        try {
            int code = process.waitFor();
            stderrReader.join();
            if (progressReader != null) {
                progressReader.join();
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
            if (killedBecause != null) {
                throw new FfmpegException("ffmpeg [" + tag + "] " + killedBecause, tail());
            }
            if (code != 0) {
                throw new FfmpegException("ffmpeg [" + tag + "] exited with status " + code + ": " + lastWords(), tail());
            }
            return new FfmpegResult(code, elapsed, tail());
        } catch (InterruptedException e) {
            kill("interrupted");
            Thread.currentThread().interrupt();
            throw new FfmpegException("ffmpeg [" + tag + "] interrupted", tail());
        }
    }

    /** Kills the process (and anything it started) at once. */
    public void kill(String reason) {
        if (!process.isAlive()) {
            return;
        }
        killedBecause = reason;
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        log.info("ffmpeg [{}] killed: {}", tag, reason);
    }

    boolean awaitExit(Duration limit) {
        try {
            return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void stderrLine(String line) {
        log.debug("ffmpeg [{}] {}", tag, line);
        synchronized (stderrTail) {
            if (stderrTail.size() == STDERR_TAIL_LINES) {
                stderrTail.removeFirst();
            }
            stderrTail.addLast(line);
        }
    }

    private List<String> tail() {
        synchronized (stderrTail) {
            return List.copyOf(stderrTail);
        }
    }

    /** The last stderr line, which is where ffmpeg says what went wrong. */
    private String lastWords() {
        List<String> t = tail();
        return t.isEmpty() ? "(no output)" : t.get(t.size() - 1).trim();
    }

    private Thread reader(String what, InputStream in, Consumer<String> sink) {
        return DaemonThreads.start("ffmpeg-" + tag + "-" + what, () -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                log.debug("ffmpeg [{}] {} closed: {}", tag, what, e.toString());
            }
        });
    }
}
