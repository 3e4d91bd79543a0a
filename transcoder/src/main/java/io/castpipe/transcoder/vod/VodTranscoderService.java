package io.castpipe.transcoder.vod;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.Setting;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.node.DaemonThreads;
import io.castpipe.common.node.NodeContext;
import io.castpipe.common.node.Service;
import io.castpipe.common.node.Supervised;
import io.castpipe.transcoder.DeletedVideos;

/** The VOD half of the transcoder role: {@code CASTPIPE_VOD_WORKERS} members of the job consumer group. */
public final class VodTranscoderService implements Service {
    /** A worker polls at least every 500 ms, also while its job runs; a commit may wait a minute for the broker. */
    private static final Duration STALL_LIMIT = Duration.ofSeconds(120);
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
