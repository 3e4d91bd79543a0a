package io.castpipe.transcoder.live;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

import io.castpipe.common.config.Setting;
import io.castpipe.common.events.MediaTag;
import io.castpipe.common.events.MediaTagCodec;
import io.castpipe.common.events.VideoEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.LatencyMode;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.node.DaemonThreads;
import io.castpipe.common.node.NodeContext;
import io.castpipe.common.node.Service;
import io.castpipe.common.node.Supervised;
import io.castpipe.common.node.Supervisor;
import io.castpipe.packager.live.LiveOptions;
import io.castpipe.packager.live.PartPlan;
import io.castpipe.transcoder.DeletedVideos;
import io.castpipe.transcoder.vod.Rung;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live half of the transcoder role: a member of the {@code castpipe-live-transcoders} group
 * on {@code media.live}. Every stream whose partition this member holds gets a
 * {@link LiveStreamSession} (one ffmpeg, the ladder, the packager). Every second it commits the
 * offsets {@link DurableOffsets} allows: only media already stored as segments counts as done, so
 * a member that dies leaves its successor everything not yet stored (and a little that was); a
 * stream with no media for {@link #IDLE_END}, its partition read to the end, is finished (its
 * playlists get EXT-X-ENDLIST).
 */
public final class LiveTranscoderService implements Service {
    private static final Logger log = LoggerFactory.getLogger(LiveTranscoderService.class);
    static final String GROUP = "castpipe-live-transcoders";
    static final Duration IDLE_END = Duration.ofSeconds(5);
    private static final Duration IDLE_CHECK_EVERY = Duration.ofSeconds(1);
    /** A busy broker may take a second to answer; taking that for an outage held idle ends back (CI). */
    private static final Duration END_OFFSET_LIMIT = Duration.ofSeconds(3);
    /** A broker this slow to say where a partition ends was away a moment ago. */
    private static final Duration SLOW_ANSWER = Duration.ofSeconds(1);
    private static final Duration COMMIT_EVERY = Duration.ofSeconds(1);
    /** A dead member's streams move on after about this long; brokers allow at least 6000 unless told otherwise. */
    private static final int SESSION_TIMEOUT_MS = 3000;
    /**
     * Without parts, ffmpeg closes a fragment at every keyframe and after this long; the packager
     * can close a segment only once it sees the keyframe's fragment, so this is how late a segment
     * can be. With parts, a fragment is a part.
     */
    private static final int FRAGMENT_MS = 100;
    /** How long a standby ffmpeg may take to catch up with the running one before it is given up. */
    private static final Duration SWITCH_LIMIT = Duration.ofSeconds(15);
    /**
     * When shedding, how long the running ffmpeg may take to reach a segment boundary the standby
     * can take over at, once the standby is ahead of it ({@link LiveStreamSession#standbyAhead}),
     * before it is stopped for the standby: a starved x264 with a long lookahead reached none in
     * 15 s (found in CI), and its viewers saw nothing new meanwhile.
     */
    private static final Duration STARVED_AFTER = Duration.ofSeconds(3);
    /** The loop turns every 100 ms; a commit at a rebalance may wait a minute for the broker. */
    private static final Duration STALL_LIMIT = Duration.ofSeconds(90);

    private final NodeContext ctx;
    private final DeletedVideos deleted;
    private final Map<String, LiveStreamSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, TopicPartition> partitionOf = new HashMap<>();
    private final DurableOffsets durable = new DurableOffsets();
    private final ExecutorService finisher = Executors.newFixedThreadPool(2, DaemonThreads.numbered("live-finisher-"));
    private volatile KafkaConsumer<String, byte[]> consumer;
    private LoadShedder shedder;
    private LiveBudget budget;
    private LadderReporter ladders;
    private boolean shedding;
    private long lastIdleCheck;
    private long lastShedCheck;
    /**
     * When the broker was last seen away from this member (nanoTime): the last question it did not
     * answer, or the first it answered after that; touched by the loop's thread only.
     */
    private long brokerLastAway = System.nanoTime() - Duration.ofDays(1).toNanos();
    private boolean brokerAway;
    private Properties consumerProps;
    private EventPublisher updates;
    private Supervised loop;

    public LiveTranscoderService(NodeContext ctx) {
        this.ctx = ctx;
        this.deleted = new DeletedVideos(ctx.objectStore());
    }

    @Override
    public void start() {
        if (!ctx.config().bool(Setting.LIVE_TRANSCODE)) {
            log.info("live transcoding off ({}=false): live streams are left to other transcoder processes",
                    Setting.LIVE_TRANSCODE.env());
            return;
        }
        Properties props = ctx.kafka().consumer(GROUP);
        // A dead member's streams move on within about this long.
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
        // The survivor learns of the rebalance at its next heartbeat.
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        consumerProps = props;
        ctx.metrics().registry().gaugeMapSize("castpipe.live.streams", java.util.List.of(), sessions);
        ctx.metrics().registry().gauge("castpipe.live.backlog.max.seconds", sessions, all -> all.values().stream()
                .mapToDouble(session -> session.backlog().toMillis() / 1000.0).max().orElse(0));
        shedder = new LoadShedder(ctx.config().x264Preset(Setting.LIVE_X264_PRESET));
        shedding = ctx.config().bool(Setting.LIVE_SHED);
        double cores = ctx.config().decimal(Setting.LIVE_CPU_BUDGET, 0.1, 1024, true);
        budget = new LiveBudget(cores == 0 ? Runtime.getRuntime().availableProcessors() : cores,
                ctx.config().x264Preset(Setting.LIVE_X264_PRESET));
        ctx.metrics().registry().gauge("castpipe.live.cpu.budget.cores", budget, LiveBudget::cores);
        ctx.metrics().registry().gauge("castpipe.live.cpu.cores", budget, LiveBudget::load);
        updates = EventPublisher.ofMedia(ctx.kafka(), ctx.topics(), "hls-updates", null);
        ladders = new LadderReporter(updates, ctx.nodeId(), ctx.config().x264Preset(Setting.LIVE_X264_PRESET), budget, shedder);
        // One way of packaging per latency mode, read (and checked) now rather than per stream.
        Map<LatencyMode, LiveOptions> options = new EnumMap<>(LatencyMode.class);
        Map<LatencyMode, LiveSettings> settings = new EnumMap<>(LatencyMode.class);
        for (LatencyMode mode : LatencyMode.values()) {
            LiveOptions o = LiveOptions.from(ctx.config(), mode);
            long fragmentMicros = o.parts(LiveStreamSession.FRAME_RATE).map(PartPlan::fragmentMicros).orElse(FRAGMENT_MS * 1000L);
            options.put(mode, o);
            settings.put(mode, new LiveSettings((int) o.segmentTarget().toSeconds(), fragmentMicros,
                    ctx.config().x264Preset(Setting.LIVE_X264_PRESET), ctx.config().bool(Setting.LIVE_PASSTHROUGH)));
        }
        // A failed loop is restarted with a new consumer; its streams go on from their next keyframe.
        loop = ctx.supervisor().loop("live-transcoder", STALL_LIMIT, () -> new Supervisor.Loop() {
            private final AtomicBoolean stopped = new AtomicBoolean();

            @Override
            public void run(Supervisor.Heartbeat heartbeat) {
                LiveTranscoderService.this.run(options, settings, heartbeat, stopped);
            }

            @Override
            public void stop() {
                stopped.set(true);
                KafkaConsumer<String, byte[]> c = consumer;
                if (c != null) {
                    c.wakeup();
                }
            }
        });
    }

    private void run(Map<LatencyMode, LiveOptions> options, Map<LatencyMode, LiveSettings> settings,
                     Supervisor.Heartbeat heartbeat, AtomicBoolean stopped) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps);
        this.consumer = consumer;
        try {
            if (stopped.get()) {
                return; // stopped before this consumer could be woken
            }
            consumer.subscribe(List.of(ctx.topics().name(Topic.MEDIA_LIVE)), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    try {
                        consumer.commitSync(durable.offsets(consumer, partitions), Duration.ofSeconds(2));
                    } catch (org.apache.kafka.common.KafkaException e) {
                        // the successor redoes what was stored since the last commit
                        log.info("live transcoder: offsets not committed at a rebalance: {}", e.toString());
                    }
                    closeStreamsOf(partitions);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    closeStreamsOf(partitions); // another member has them already: nothing to commit
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                }
            });
            long lastCommit = System.nanoTime();
            while (!stopped.get()) {
                long turnStarted = System.nanoTime();
                heartbeat.beat();
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    handle(r, options, settings);
                }
                sessions.forEach((id, s) -> feedSafely(id, s, () -> {
                    if (s.check()) {
                        handovers("seamless");
                    }
                }));
                shedLoad();
                ladders.look(sessions, System.nanoTime());
                if (System.nanoTime() - turnStarted > SLOW_ANSWER.toNanos()) {
                    // A turn held up (a send waiting for the broker's metadata, a slow poll): the broker
                    // was as good as away, and what it holds for this member may not have come yet.
                    brokerLastAway = System.nanoTime();
                }
                endIdle(consumer);
                if (System.nanoTime() - lastCommit > COMMIT_EVERY.toNanos()) {
                    consumer.commitAsync(durable.offsets(consumer, consumer.assignment()), null);
                    lastCommit = System.nanoTime();
                }
            }
        } catch (WakeupException e) {
            if (!stopped.get()) {
                throw e;
            }
        } catch (org.apache.kafka.common.errors.InvalidSessionTimeoutException e) {
            log.error("live transcoder: the Kafka brokers refuse a {} ms consumer session; set "
                    + "group.min.session.timeout.ms to {} or less on them (their default is 6000)", SESSION_TIMEOUT_MS,
                    SESSION_TIMEOUT_MS);
            throw e;
        } finally {
            sessions.values().forEach(LiveStreamSession::close);
            sessions.clear();
            partitionOf.clear();
            consumer.close(Duration.ofSeconds(3)); // commits, at the revocation, what is stored
            durable.clear();
        }
    }

    private void closeStreamsOf(Collection<TopicPartition> partitions) {
        sessions.entrySet().removeIf(e -> {
            if (partitions.contains(partitionOf.get(e.getKey()))) {
                log.info("stream {}: partition moved to another worker", e.getKey());
                partitionOf.remove(e.getKey());
                e.getValue().close();
                durable.release(e.getValue());
                return true;
            }
            return false;
        });
    }

    private void handle(ConsumerRecord<String, byte[]> record, Map<LatencyMode, LiveOptions> options,
                        Map<LatencyMode, LiveSettings> settings) {
        MediaTag tag;
        try {
            tag = MediaTagCodec.decode(record.value());
        } catch (RuntimeException e) {
            log.warn("skipping an unreadable media record at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return;
        }
        String id = tag.streamId();
        LiveStreamSession session = sessions.computeIfAbsent(id, k -> {
            log.info("stream {}: taking it on from {}-{}@{}", k, record.topic(), record.partition(), record.offset());
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            partitionOf.put(k, partition);
            long streamStartEpochMs = tag.ingestedAt() - tag.timestamp();
            DurableOffsets.Mark mark = new DurableOffsets.Mark(partition, record.offset());
            // One master per ladder: a standby taking the renditions over serves the same variants.
            LiveMaster[] master = new LiveMaster[1];
            LiveStreamSession s = new LiveStreamSession(k, tag.channelId(), ctx.ffmpeg(), settings.get(tag.latency()), (rungs, firstFrameMs, handovers, standby) -> {
                if (!standby) {
                    mark.ladder(rungs.size());
                    master[0] = new LiveMaster(ctx.objectStore(), k, rungs, LiveStreamSession.FRAME_RATE);
                }
                return new LiveRenditionPackager(ctx.objectStore(), k, options.get(tag.latency()), streamStartEpochMs + firstFrameMs,
                        master[0],
                        update -> updates.publish(Topic.HLS_UPDATES, k, update),
                        (rung, storedUntil) -> mark.stored(rung, storedUntil.toEpochMilli() - streamStartEpochMs),
                        handovers, standby);
            }, mark::storedUntil, (asked, rungs, megapixels) -> admit(k, asked, rungs, megapixels));
            durable.track(s, mark);
            return s;
        });
        if (tag.kind() == MediaTag.Kind.VIDEO && tag.sequenceHeader()) {
            // Ingest sends the configuration before every keyframe: a successor can start here.
            durable.restartPoint(session, record.offset(), tag.timestamp());
        }
        feedSafely(id, session, () -> session.accept(tag));
    }

    /** The step a stream's ladder starts on: the one asked, or as far below as shedding had it, or the CPU budget allows. */
    private LadderStep admit(String stream, LadderStep asked, List<Rung> rungs, double megapixelsPerSecond) {
        LadderStep from = shedder.step(stream).ordinal() > asked.ordinal() ? shedder.step(stream) : asked;
        LadderStep at = budget.admit(stream, from, rungs, megapixelsPerSecond);
        shedder.startAt(stream, at, at != from, System.nanoTime());
        if (at != from) {
            log.warn("stream {}: this process's live CPU budget is in use ({} of {} cores measured); starting it on {}",
                    stream, String.format(java.util.Locale.ROOT, "%.2f", budget.load()), budget.cores(),
                    at.describe(ctx.config().x264Preset(Setting.LIVE_X264_PRESET), rungs));
            ctx.metrics().registry().counter("castpipe.live.ladder.steps", "step", "budget", "to", at.label()).increment();
        }
        return at;
    }

    private boolean readToEnd(KafkaConsumer<String, byte[]> consumer, TopicPartition partition) {
        if (partition == null) {
            return true;
        }
        long asked = System.nanoTime();
        try {
            Long end = consumer.endOffsets(List.of(partition), END_OFFSET_LIMIT).get(partition);
            boolean atEnd = end != null && consumer.position(partition, END_OFFSET_LIMIT) >= end;
            if (System.nanoTime() - asked > SLOW_ANSWER.toNanos() || brokerAway) {
                // Answered only as the broker came back (found in CI): ingest's held-back records are
                // still on their way, so the quiet counts from now, not from the last unanswered question.
                brokerLastAway = System.nanoTime();
                brokerAway = false;
                return false;
            }
            return atEnd;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            brokerLastAway = System.nanoTime(); // its records may be waiting for it
            brokerAway = true;
            return false;
        }
    }

    private interface Feed {
        void run() throws java.io.IOException;
    }

    /**
     * One stream's failure is that stream's alone: its ffmpeg is stopped and its session dropped,
     * and its next media starts a new one from the next keyframe (after a discontinuity, as a
     * takeover does). The other streams on this loop carry on.
     */
    private void feedSafely(String id, LiveStreamSession session, Feed feed) {
        try {
            feed.run();
        } catch (java.io.IOException | RuntimeException e) {
            log.warn("stream {}: its ffmpeg failed ({}); starting it again from the next keyframe", id, e.toString());
            session.abandon();
            sessions.remove(id, session);
            durable.release(session);
            partitionOf.remove(id);
            ctx.metrics().registry().counter("castpipe.live.stream.failures").increment();
        }
    }

    /**
     * About once a second: each stream's ffmpeg CPU is measured for the budget
     * ({@link LiveBudget}); a stream whose ffmpeg falls behind real time moves one
     * {@link LadderStep} down, and one that kept up long enough one step back up
     * ({@link LoadShedder}). The move is made before the break: a standby ffmpeg takes the
     * renditions over at segment boundaries while the running one goes on publishing. A standby
     * that has not caught up within {@link #SWITCH_LIMIT} is given up: a stream still behind is
     * then started again at once on the step below (viewers wait for that), one trying to
     * climb stays where it was.
     */
    private void shedLoad() {
        long now = System.nanoTime();
        if (now - lastShedCheck < IDLE_CHECK_EVERY.toNanos()) {
            return;
        }
        lastShedCheck = now;
        budget.measure(sessions, now);
        if (!shedding) {
            return;
        }
        sessions.forEach((id, session) -> {
            Duration switching = session.switching();
            if (switching != null) {
                if (session.standbySheds() && switching.compareTo(STARVED_AFTER) > 0
                        && session.standbyAhead()) {
                    forceSwitch(id, session);
                } else if (switching.compareTo(SWITCH_LIMIT) > 0) {
                    giveUpSwitch(id, session);
                }
                return;
            }
            if (!session.rungs().isEmpty() && session.step() != shedder.step(id)) {
                giveUpSwitch(id, session); // the standby failed: the stream is still on the preset it was to leave
                return;
            }
            Duration backlog = session.backlog();
            LoadShedder.Step step = shedder.look(id, backlog, session.taken(), session.running(), session.rungs(), now,
                    to -> budget.fits(id, to, session.megapixelsPerSecond()));
            if (step == LoadShedder.Step.NONE) {
                return;
            }
            LadderStep to = shedder.step(id);
            String toDescribed = to.describe(session.configuredPreset(), session.rungs());
            if (step == LoadShedder.Step.SHED) {
                log.warn("stream {}: its ladder is {} ms behind real time and not catching up; moving it to {}", id,
                        backlog.toMillis(), toDescribed);
            } else {
                log.info("stream {}: kept up; trying {} again", id, toDescribed);
            }
            ctx.metrics().registry().counter("castpipe.live.ladder.steps", "step", step.name().toLowerCase(),
                    "to", to.label()).increment();
            feedSafely(id, session, () -> {
                if (!session.switchTo(to, step == LoadShedder.Step.SHED)) {
                    session.restart(to);
                }
            });
        });
    }

    /** A shedding standby ahead of a running ffmpeg that reaches no boundary: the running one is stopped for it. */
    private void forceSwitch(String id, LiveStreamSession session) {
        log.warn("stream {}: its ffmpeg reaches no segment boundary while the new ladder is ahead ({}); stopping it",
                id, session.handoverState());
        if (session.forceHandover()) {
            handovers("forced");
        } else {
            giveUpSwitch(id, session);
        }
    }

    /** A standby that did not catch up in time, or failed. */
    private void giveUpSwitch(String id, LiveStreamSession session) {
        boolean climb = session.switching() != null ? !session.standbySheds()
                : shedder.step(id).ordinal() < session.step().ordinal(); // a standby a step up that failed
        if (climb && session.switched() == 0) {
            session.dropStandby();
            shedder.climbFailed(id, System.nanoTime());
            log.info("stream {}: the ladder a step up did not take over ({}); staying on {}", id, session.handoverState(),
                    session.describe());
            handovers("abandoned");
            return;
        }
        LadderStep to = shedder.step(id);
        log.warn("stream {}: the new ladder did not take over ({}); starting it again at once on {}", id,
                session.handoverState(), to.describe(session.configuredPreset(), session.rungs()));
        handovers("restarted");
        feedSafely(id, session, () -> session.restart(to));
    }

    /**
     * How a move to another preset ended: taken over seamlessly, forced (the running ffmpeg
     * stopped for a standby ahead of it), by a restart, or abandoned (a climb that did not catch up).
     */
    private void handovers(String outcome) {
        ctx.metrics().registry().counter("castpipe.live.ladder.handovers", "outcome", outcome).increment();
    }

    /**
     * Finishes the streams with no media for {@link #IDLE_END} whose partition this member has read
     * to its end, the broker answering all that time. While the broker does not answer, has more
     * of the partition to give, or has just come back (ingest's held-back records take a moment to
     * follow), no media is no sign that the stream ended: ingest may still have its publisher.
     */
    private void endIdle(KafkaConsumer<String, byte[]> consumer) {
        long now = System.nanoTime();
        if (now - lastIdleCheck < IDLE_CHECK_EVERY.toNanos()) {
            return;
        }
        lastIdleCheck = now;
        Map<TopicPartition, Boolean> readToEnd = new HashMap<>();
        sessions.entrySet().removeIf(e -> {
            if (e.getValue().idleFor().compareTo(IDLE_END) > 0
                    && readToEnd.computeIfAbsent(partitionOf.get(e.getKey()), p -> readToEnd(consumer, p))
                    && now - brokerLastAway > IDLE_END.toNanos()) {
                log.info("stream {}: no media for {} s; finishing it", e.getKey(), IDLE_END.toSeconds());
                partitionOf.remove(e.getKey());
                String id = e.getKey();
                LiveStreamSession session = e.getValue();
                // Flushing ffmpeg and copying the recording take seconds: not on the thread that feeds the other streams.
                shedder.forget(id);
                finisher.execute(() -> {
                    session.finish();
                    durable.release(session); // ended in storage: a successor has nothing to redo
                    record(id, session);
                });
                return true;
            }
            return false;
        });
    }

    /**
     * The finished stream becomes a video, unless that video was deleted (before or while the
     * recording is copied): then the stream's objects go instead. A failure here leaves the live
     * recording in storage as it is.
     */
    private void record(String streamId, LiveStreamSession session) {
        try {
            if (deleted.isDeleted(streamId)) {
                discard(streamId);
                return;
            }
            if (session.rungs().isEmpty()) {
                return;
            }
            VideoEvent ready = LiveRecording.publish(ctx.objectStore(), streamId);
            if (deleted.isDeleted(streamId)) {
                discard(streamId);
                return;
            }
            if (ready != null) {
                updates.publishDurably(Topic.VIDEO_EVENTS, streamId, ready);
                log.info("stream {}: recording ready as video {} ({} s)", streamId, streamId, Math.round(ready.durationSeconds()));
            }
        } catch (Exception e) {
            log.warn("stream {}: could not turn the recording into a video: {}", streamId, e.toString());
        }
    }

    private void discard(String streamId) {
        int removed = ctx.objectStore().deleteByPrefix(ObjectKeys.livePrefix(streamId))
                + ctx.objectStore().deleteByPrefix(ObjectKeys.vodPrefix(streamId));
        log.info("stream {}: its video was deleted; no recording made, {} objects of the stream removed", streamId, removed);
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
        finisher.shutdown();
        try {
            finisher.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (updates != null) {
            updates.close();
        }
    }
}
