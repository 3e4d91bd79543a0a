package io.castpipe.transcoder.vod;

import java.nio.file.Path;
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
import io.castpipe.transcoder.DeletedVideos;

/** The VOD half of the transcoder role: {@code CASTPIPE_VOD_WORKERS} members of the job consumer group. */
public final class VodTranscoderService implements Service {
    private final NodeContext ctx;
    private final List<VodJobConsumer> consumers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final ScheduledExecutorService deletionChecks =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("vod-deletion-checks"));
    private EventPublisher events;

    public VodTranscoderService(NodeContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void start() {
        CastpipeConfig config = ctx.config();
        int workers = config.integer(Setting.VOD_WORKERS, 0, 64);
        int segmentSeconds = config.integer(Setting.VOD_SEGMENT_SECONDS, 1, 30);
        int maxAttempts = config.integer(Setting.VOD_MAX_ATTEMPTS, 1, 20);
        String preset = config.x264Preset(Setting.VOD_X264_PRESET);
        Path workDir = ctx.dataDir().resolve("work").resolve("vod");
        events = new EventPublisher(ctx.kafka(), ctx.topics(), "vod-events");
        DeletedVideos deleted = new DeletedVideos(ctx.objectStore());
        for (int i = 0; i < workers; i++) {
            VodJobConsumer consumer = new VodJobConsumer(ctx.kafka(), ctx.topics(), events,
                    () -> new VodTranscode(ctx.objectStore(), ctx.ffmpeg(), workDir, segmentSeconds, preset, deleted,
                            deletionChecks),
                    maxAttempts, String.valueOf(i), ctx.metrics().registry());
            Thread t = new Thread(consumer, "vod-consumer-" + i);
            consumers.add(consumer);
            threads.add(t);
            t.start();
        }
    }

    @Override
    public void close() {
        consumers.forEach(VodJobConsumer::stop);
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        deletionChecks.shutdownNow();
        if (events != null) {
            events.close();
        }
    }
}
