package io.castpipe.transcoder.vod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.Setting;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.node.DaemonThreads;
import io.castpipe.common.node.NodeContext;
import io.castpipe.common.node.Service;
import io.castpipe.common.node.Supervised;
import io.castpipe.transcoder.DeletedVideos;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The VOD half of the transcoder role: {@code CASTPIPE_VOD_WORKERS} members of the job consumer group. */
public final class VodTranscoderService implements Service {
    /** A worker polls at least every 500 ms, also while its job runs; a commit may wait a minute for the broker. */
    private static final Duration STALL_LIMIT = Duration.ofSeconds(120);
    static final Duration LEFTOVER_AGE = Duration.ofMinutes(30);
    private static final Logger log = LoggerFactory.getLogger(VodTranscoderService.class);
    private final NodeContext ctx;
    private final List<Supervised> workers = new ArrayList<>();
    private final ScheduledExecutorService deletionChecks =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("vod-deletion-checks"));
    private EventPublisher events;

    public VodTranscoderService(NodeContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void start() {
        CastpipeConfig config = ctx.config();
        int count = config.integer(Setting.VOD_WORKERS, 0, 64);
        int segmentSeconds = config.integer(Setting.VOD_SEGMENT_SECONDS, 1, 30);
        int maxAttempts = config.integer(Setting.VOD_MAX_ATTEMPTS, 1, 20);
        String preset = config.x264Preset(Setting.VOD_X264_PRESET);
        Path workDir = ctx.dataDir().resolve("work").resolve("vod");
        removeLeftovers(workDir);
        events = new EventPublisher(ctx.kafka(), ctx.topics(), "vod-events");
        DeletedVideos deleted = new DeletedVideos(ctx.objectStore());
        for (int i = 0; i < count; i++) {
            String name = String.valueOf(i);
            // A worker whose loop fails (the broker gone, a commit refused) comes back with a new consumer.
            this.workers.add(ctx.supervisor().loop("vod-worker-" + name, STALL_LIMIT,
                    () -> new VodJobConsumer(ctx.kafka(), ctx.topics(), events,
                            () -> new VodTranscode(ctx.objectStore(), ctx.ffmpeg(), workDir, segmentSeconds, preset, deleted,
                                    deletionChecks),
                            maxAttempts, name, ctx.metrics().registry())));
        }
    }

    /**
     * Jobs that were running when a process last stopped (killed, or its machine lost) left their
     * folders. Another process may share the data folder (one joining an all-in-one node on its
     * machine) and be running a job, so only folders nothing was written to for
     * {@link #LEFTOVER_AGE} go: a running job writes all along.
     */
    private static void removeLeftovers(Path workDir) {
        if (!Files.isDirectory(workDir)) {
            return;
        }
        try (Stream<Path> folders = Files.list(workDir)) {
            List<Path> left = new ArrayList<>();
            for (Path folder : folders.toList()) {
                if (newestWrite(folder).isBefore(Instant.now().minus(LEFTOVER_AGE))) {
                    try (Stream<Path> tree = Files.walk(folder)) {
                        tree.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                    left.add(folder);
                }
            }
            if (!left.isEmpty()) {
                log.info("removed {} work folder(s) that jobs of an earlier run left in {}", left.size(), workDir);
            }
        } catch (IOException e) {
            log.warn("could not remove the work folders left in {}: {}", workDir, e.toString());
        }
    }

    private static Instant newestWrite(Path folder) throws IOException {
        try (Stream<Path> tree = Files.walk(folder)) {
            Instant newest = Instant.EPOCH;
            for (Path p : tree.toList()) {
                Instant t = Files.getLastModifiedTime(p).toInstant();
                newest = t.isAfter(newest) ? t : newest;
            }
            return newest;
        }
    }

    @Override
    public void close() {
        workers.forEach(Supervised::requestStop);
        workers.forEach(Supervised::close);
        deletionChecks.shutdownNow();
        if (events != null) {
            events.close();
        }
    }
}
