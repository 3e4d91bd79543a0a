package io.castpipe.transcoder.live;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.castpipe.common.events.MediaTag;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegException;
import io.castpipe.common.ffmpeg.FfmpegJob;
import io.castpipe.common.node.DaemonThreads;
import io.castpipe.transcoder.vod.Rung;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live stream's ffmpeg: FLV tags go in through its stdin ({@link LadderInput}, fed from a
 * thread of its own), each rung's fragmented MP4 comes back on a loopback socket of its own and
 * is handed to the {@link RenditionSink}.
 */
final class LiveLadderProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveLadderProcess.class);
    private static final int ACCEPT_TIMEOUT_MS = 30_000;
    private static final Duration READERS_GONE = Duration.ofSeconds(2);
    private static final int YIELDING_NICENESS = 10;

    private final String streamId;
    private final FfmpegJob job;
    private final LadderInput input;
    private final List<ServerSocket> servers;
    private final List<Thread> readers = new ArrayList<>();
    private volatile boolean closing;
    private volatile boolean finishing;

    private LiveLadderProcess(String streamId, FfmpegJob job, LadderInput input, List<ServerSocket> servers) {
        this.streamId = streamId;
        this.job = job;
        this.input = input;
        this.servers = servers;
    }

    static LiveLadderProcess start(Ffmpeg ffmpeg, String streamId, LadderEncoding encoding, RenditionSink sink) throws IOException {
        List<Rung> rungs = encoding.rungs();
        List<ServerSocket> servers = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        try {
            for (int i = 0; i < rungs.size(); i++) {
                ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                server.setSoTimeout(ACCEPT_TIMEOUT_MS);
                servers.add(server);
                outputs.add("tcp://127.0.0.1:" + server.getLocalPort());
            }
        } catch (IOException e) {
            closeAll(servers);
            throw e;
        }
        FfmpegJob job;
        try {
            job = ffmpeg.command("live-" + streamId).withStdin().timeout(Duration.ofDays(7))
                    .args(LiveLadderCommand.args(encoding, outputs))
                    .start();
        } catch (RuntimeException e) {
            closeAll(servers);
            throw e;
        }
        LadderInput input;
        try {
            input = new LadderInput(streamId, job.stdin(), encoding.audio());
        } catch (IOException e) {
            job.kill("its input failed");
            closeAll(servers);
            throw e;
        }
        LiveLadderProcess p = new LiveLadderProcess(streamId, job, input, servers);
        for (int i = 0; i < rungs.size(); i++) {
            p.startReader(rungs.get(i), servers.get(i), sink);
        }
        return p;
    }

    private void startReader(Rung rung, ServerSocket server, RenditionSink sink) {
        readers.add(DaemonThreads.start("live-" + streamId + "-" + rung.name(), () -> {
            try (Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
                sink.consume(rung, in, () -> finishing);
            } catch (SocketTimeoutException e) {
                log.warn("stream {}: ffmpeg never opened the {} output", streamId, rung.name());
            } catch (Exception e) {
                if (!closing) {
                    log.warn("stream {}: {} output failed: {}", streamId, rung.name(), e.toString());
                }
            }
        }));
    }

    long pid() {
        return job.pid();
    }

    /** The CPU time ffmpeg has used; empty once it is gone, or where the system does not say. */
    java.util.Optional<Duration> cpuTime() {
        return ProcessHandle.of(job.pid()).flatMap(h -> h.info().totalCpuDuration());
    }

    /** Hands one tag to ffmpeg's input, exactly as it came from RTMP. */
    public void write(MediaTag tag) throws IOException {
        input.write(tag);
    }

    /** Fails if ffmpeg stopped taking input. */
    public void check() throws IOException {
        input.check();
    }

    /** The media time waiting for ffmpeg to take it. */
    public Duration backlog() {
        return input.backlog();
    }

    /** The stream timestamp (ms) of the newest media ffmpeg took; -1 before any. */
    public long taken() {
        return input.taken();
    }

    /**
     * Lowers ffmpeg's CPU priority (nice {@value #YIELDING_NICENESS}, every thread: Linux sets it
     * per thread), so that a standby taking its renditions over gets the CPU first; the old one
     * only has to reach its next segment boundary. Where that cannot be done it runs on as it is.
     */
    void yieldCpu() {
        java.nio.file.Path tasks = java.nio.file.Path.of("/proc", String.valueOf(job.pid()), "task");
        List<String> command = new ArrayList<>(List.of("renice", "-n", String.valueOf(YIELDING_NICENESS), "-p"));
        try (java.util.stream.Stream<java.nio.file.Path> threads = java.nio.file.Files.list(tasks)) {
            threads.forEach(t -> command.add(t.getFileName().toString()));
            Process renice = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!renice.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) {
                renice.destroyForcibly();
            }
        } catch (IOException e) {
            log.debug("stream {}: ffmpeg's priority left as it is: {}", streamId, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends the input once ffmpeg has what waits: ffmpeg flushes its last fragments, the sinks see their streams end. */
    public void finish(Duration limit) {
        finishing = true;
        closing = true;
        input.finish();
        Thread waiter = DaemonThreads.start("live-" + streamId + "-end", () -> {
            try {
                job.await();
            } catch (FfmpegException e) {
                log.info("stream {}: ffmpeg ended: {}", streamId, e.getMessage());
            }
        });
        try {
            waiter.join(limit.toMillis());
            for (Thread r : readers) {
                r.join(limit.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /** Stops at once: kills ffmpeg (which frees its input's writer) and drops the outputs. */
    @Override
    public void close() {
        closing = true;
        job.kill("stream " + streamId + " closed");
        input.close();
        closeAll(servers);
    }

    /** Closes, and returns the tags ffmpeg was never given, in order. */
    public List<MediaTag> closeTakingUnwritten() {
        closeAndAwaitReaders();
        return input.takeUnwritten();
    }

    /**
     * Closes, and waits (2 s at most) for the readers to return, so that a session that takes the
     * stream on in this process reads the playlists they left, not ones they are still writing.
     * Returns whether they did.
     */
    public boolean closeAndAwaitReaders() {
        close();
        long deadline = System.nanoTime() + READERS_GONE.toNanos();
        try {
            for (Thread r : readers) {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    r.join(Math.max(1, left / 1_000_000));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return readers.stream().noneMatch(Thread::isAlive);
    }

    private static void closeAll(List<ServerSocket> servers) {
        for (ServerSocket s : servers) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to do: it was only listening
            }
        }
    }
}
