package io.castpipe.common.ffmpeg;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.castpipe.common.node.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs ffmpeg processes for this node and owns them: each has a deadline, its stderr goes to
 * the log, and {@link #close()} kills whatever is still running so no child outlives the node.
 */
public final class Ffmpeg implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Ffmpeg.class);

    /**
     * Where the system has util-linux's setpriv, children are started through it with a parent-death
     * signal, so that even a JVM killed with SIGKILL, which runs no shutdown hook, takes its ffmpeg along.
     */
    private static final List<String> LAUNCHER = Stream.of("/usr/bin/setpriv", "/bin/setpriv")
            .filter(p -> Files.isExecutable(Path.of(p))).findFirst()
            .map(p -> List.of(p, "--pdeathsig", "KILL", "--")).orElse(List.of());

    private final Path binary;
    private final Duration defaultTimeout;
    private final Set<FfmpegJob> running = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("ffmpeg-deadlines"));
    private volatile boolean closed;

    public Ffmpeg(Path binary, Duration defaultTimeout) {
        this.binary = binary;
        this.defaultTimeout = defaultTimeout;
    }

    public Path binary() {
        return binary;
    }

    /** The first line of {@code ffmpeg -version}; also proves the binary runs on this machine. */
    public String version() {
        List<String> out = new java.util.ArrayList<>();
        try {
            Process p = new ProcessBuilder(binary.toString(), "-hide_banner", "-version")
                    .redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                r.lines().limit(1).forEach(out::add);
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("no answer in 10 s");
            }
            if (p.exitValue() != 0 || out.isEmpty()) {
                throw new IOException("exit status " + p.exitValue());
            }
        } catch (IOException e) {
            throw new io.castpipe.common.config.ConfigException("ffmpeg at " + binary + " does not run ("
                    + e.getMessage() + "); set CASTPIPE_FFMPEG to a working ffmpeg");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return out.get(0);
    }

    /** A new command; {@code tag} names it in logs and errors, e.g. the video or stream id. */
    public FfmpegCommand command(String tag) {
        return new FfmpegCommand(this, tag, defaultTimeout);
    }

    public int runningCount() {
        return running.size();
    }

    FfmpegJob start(FfmpegCommand command) {
        if (closed) {
            throw new IllegalStateException("ffmpeg runner is closed");
        }
        FfmpegJob job = FfmpegJob.start(LAUNCHER, binary, command);
        running.add(job);
        var deadline = deadlines.schedule(() -> job.kill("timed out after " + command.timeout().toSeconds() + " s"),
                command.timeout().toMillis(), TimeUnit.MILLISECONDS);
        job.exited().thenRun(() -> {
            running.remove(job);
            deadline.cancel(false);
        });
        // A close() racing with start() must not miss this job.
        if (closed) {
            job.kill("node is stopping");
        }
        return job;
    }

    @Override
    public void close() {
        closed = true;
        for (FfmpegJob job : running) {
            job.kill("node is stopping");
        }
        for (FfmpegJob job : running) {
            if (job.awaitExit(Duration.ofSeconds(2))) {
                running.remove(job);
            }
        }
        deadlines.shutdownNow();
        if (!running.isEmpty()) {
            log.warn("{} ffmpeg processes did not exit after being killed", running.size());
        }
    }
}
