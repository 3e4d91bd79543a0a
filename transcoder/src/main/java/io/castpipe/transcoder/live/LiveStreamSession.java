package io.castpipe.transcoder.live;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import io.castpipe.common.events.MediaTag;
import io.castpipe.common.events.SourceInfo;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.media.AvcSequenceHeader;
import io.castpipe.transcoder.vod.LadderPlanner;
import io.castpipe.transcoder.vod.Rung;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live stream inside a transcoder: holds the first tags back until the codec configuration
 * is known (the ladder is planned from the SPS's picture size, audio is mapped only if the
 * stream has AAC), then starts the stream's ffmpeg and feeds it every tag as it comes.
 *
 * <p>To change its {@link LadderStep} while live it starts a standby ffmpeg beside the running one, from the
 * last keyframe every rung has stored, fed the same input; each rendition passes to the standby
 * at a segment boundary ({@link Handovers}), and once all have, the old ffmpeg is stopped.
 */
final class LiveStreamSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveStreamSession.class);
    /** What may wait for the codec configuration before the stream is given up as broken. */
    private static final int MAX_PENDING_TAGS = 2000;
    private static final long MAX_PENDING_BYTES = 32L << 20;
    /** Live ladders run at this rate until the frame rate is read from the stream. */
    static final double FRAME_RATE = 30;
    /** What is kept to give a restarted ffmpeg again; past this, a restart loses what the old one had not stored. */
    private static final long MAX_REPLAY_BYTES = 32L << 20;

    private final String streamId;
    private final String channelId;
    private final Ffmpeg ffmpeg;
    private final LiveSettings settings;
    private final Sinks sinks;
    private final Handovers handovers = new Handovers();
    private final LongSupplier storedUntil;
    /** What ffmpeg was given from the last keyframe every rung has stored past: a restart gives it again. */
    private final ArrayDeque<MediaTag> replay = new ArrayDeque<>();
    private long replayBytes;
    private final List<MediaTag> pending = new ArrayList<>();
    private long pendingBytes;
    private AvcSequenceHeader.PictureSize size;
    private boolean audio;
    private LiveLadderProcess process;
    private List<Rung> rungs = List.of();
    private boolean broken;
    private MediaTag lastVideoConfig;
    private MediaTag lastAudioConfig;
    private long lastTagNanos = System.nanoTime();
    private final Admission admission;
    private LadderStep step = LadderStep.CONFIGURED;
    private long startedNanos;
    /** The stream timestamp (ms) the running ffmpeg's keyframe grid starts at. */
    private long keyframeOrigin;
    private LiveLadderProcess standby;
    private LadderStep standbyStep;
    private boolean standbySheds;
    private long standbyStartedNanos;

    /** Where a ladder's renditions go. */
    @FunctionalInterface
    interface Sinks {
        /**
         * @param firstFrameMs the stream timestamp (ms) of the first frame ffmpeg gets, where its
         *                     output time starts (not 0 for a worker that takes the stream over mid-way)
         * @param standby      whether the ffmpeg is a standby, taking the renditions over from the running one
         */
        RenditionSink create(List<Rung> rungs, long firstFrameMs, Handovers handovers, boolean standby);
    }

    /** Which step a ladder starts on. */
    @FunctionalInterface
    interface Admission {
        /**
         * @param asked              the step asked for: the configured one, or where a restart goes
         * @param megapixelsPerSecond the source's picture size times the ladder's frame rate
         */
        LadderStep admit(LadderStep asked, List<Rung> rungs, double megapixelsPerSecond);
    }

    /**
     * @param sinks gives, once the ladder is planned, where its renditions go
     * @param storedUntil the stream timestamp (ms) before which every rung's output is stored, -1 before any
     * @param admission   how much of the ladder to encode at each start
     */
    LiveStreamSession(String streamId, String channelId, Ffmpeg ffmpeg, LiveSettings settings, Sinks sinks,
                      LongSupplier storedUntil, Admission admission) {
        this.streamId = streamId;
        this.channelId = channelId;
        this.ffmpeg = ffmpeg;
        this.settings = settings;
        this.sinks = sinks;
        this.storedUntil = storedUntil;
        this.admission = admission;
    }

    void accept(MediaTag tag) throws IOException {
        lastTagNanos = System.nanoTime();
        if (broken) {
            return;
        }
        if (process != null) {
            MediaTag known = tag.kind() == MediaTag.Kind.VIDEO ? lastVideoConfig : lastAudioConfig;
            // Ingest repeats the configuration before every keyframe: ffmpeg has it, the replay keeps it as a restart point.
            if (!repeats(tag, known)) {
                remember(tag);
                process.write(tag);
                feedStandby(tag);
            }
            keep(tag);
            return;
        }
        if (tag.kind() == MediaTag.Kind.VIDEO && tag.sequenceHeader()) {
            size = AvcSequenceHeader.pictureSize(tag.payload()).orElse(null);
            // A worker taking the stream over mid-way sees frames before the configuration: useless to ffmpeg.
            pending.removeIf(t -> t.kind() != MediaTag.Kind.SCRIPT && !t.sequenceHeader());
            pendingBytes = pending.stream().mapToLong(t -> t.payload().length).sum();
        }
        if (tag.kind() == MediaTag.Kind.AUDIO && tag.sequenceHeader()) {
            audio = true;
        }
        remember(tag);
        pending.add(tag);
        pendingBytes += tag.payload().length;
        boolean firstFrame = !tag.sequenceHeader() && tag.kind() != MediaTag.Kind.SCRIPT;
        if (size != null && firstFrame) {
            start(tag.timestamp());
        } else if (pending.size() > MAX_PENDING_TAGS || pendingBytes > MAX_PENDING_BYTES) {
            log.warn("stream {}: no readable H.264 configuration in its first {} tags; not transcoding it", streamId,
                    pending.size());
            broken = true;
            pending.clear();
        }
    }

    private void start(long firstFrameTimestamp) throws IOException {
        SourceInfo source = new SourceInfo("flv", 0, size.width(), size.height(), 0, FRAME_RATE, "h264", null,
                audio ? "aac" : null, 0, 0);
        List<Rung> ladder = LadderPlanner.plan(source);
        if (settings.passthrough()) {
            List<Rung> withSource = new ArrayList<>(List.of(Rung.source(size.width(), size.height(), 0)));
            withSource.addAll(ladder);
            ladder = List.copyOf(withSource);
        }
        rungs = ladder;
        step = admission.admit(step, rungs, megapixelsPerSecond());
        log.info("stream {}: {}x{}{}, ladder {}, {}", streamId, size.width(), size.height(), audio ? " with audio" : "",
                rungs.stream().map(Rung::name).toList(), step.describe(settings.preset(), rungs));
        process = LiveLadderProcess.start(ffmpeg, streamId, encoding(step, 0), sinks.create(rungs, firstFrameTimestamp, handovers, false));
        startedNanos = System.nanoTime();
        keyframeOrigin = firstFrameTimestamp;
        for (MediaTag t : pending) {
            process.write(t);
            keep(t);
        }
        pending.clear();
        pendingBytes = 0;
    }

    private void remember(MediaTag tag) {
        if (tag.sequenceHeader()) {
            if (tag.kind() == MediaTag.Kind.VIDEO) {
                lastVideoConfig = tag;
            } else if (tag.kind() == MediaTag.Kind.AUDIO) {
                lastAudioConfig = tag;
            }
        }
    }

    private static boolean repeats(MediaTag tag, MediaTag known) {
        return tag.sequenceHeader() && known != null && java.util.Arrays.equals(tag.payload(), known.payload());
    }

    /** Keeps what ffmpeg was given, from the last restart point every rung has stored past, for a restart. */
    private void keep(MediaTag tag) {
        if (tag.kind() == MediaTag.Kind.VIDEO && tag.sequenceHeader()) {
            trimReplay(); // once a keyframe, before it joins
        }
        replay.addLast(tag);
        replayBytes += tag.payload().length;
        while (replayBytes > MAX_REPLAY_BYTES) {
            replayBytes -= replay.removeFirst().payload().length;
        }
    }

    /** Keeps the replay from the last restart point (the configuration before a keyframe) every rung has stored past. */
    private void trimReplay() {
        long stored = storedUntil.getAsLong();
        if (stored < 0) {
            return;
        }
        MediaTag keep = null;
        for (MediaTag t : replay) {
            if (t.timestamp() > stored + DurableOffsets.ROUNDING_MS) {
                break;
            }
            if (t.kind() == MediaTag.Kind.VIDEO && t.sequenceHeader()) {
                keep = t;
            }
        }
        while (keep != null && replay.peekFirst() != keep) {
            replayBytes -= replay.removeFirst().payload().length;
        }
    }

    /**
     * Starts the stream's ffmpeg again on {@code newStep}, from the last keyframe every rung has
     * stored past (ingest sends the configuration before every keyframe), then what the old one
     * had not been given yet: the playlists go on after a discontinuity, as after a takeover, and
     * show the seconds since that keyframe twice rather than lose what the old ffmpeg held.
     * Viewers wait while the new ffmpeg starts: {@link #switchTo} is the seamless way.
     */
    void restart(LadderStep newStep) throws IOException {
        dropStandby();
        step = newStep;
        if (process == null) {
            return;
        }
        // Both are the newest of what the old ffmpeg was handed (the replay since the restart point,
        // the input since what it took): the longer holds the other.
        List<MediaTag> waiting = process.closeTakingUnwritten();
        List<MediaTag> again = waiting.size() > replay.size() ? waiting : new ArrayList<>(replay);
        replay.clear();
        replayBytes = 0;
        process = null;
        size = null;
        pending.clear();
        pendingBytes = 0;
        MediaTag audioConfig = lastAudioConfig;
        lastVideoConfig = null;
        lastAudioConfig = null;
        if (audioConfig != null) {
            accept(audioConfig);
        }
        for (MediaTag t : again) {
            accept(t);
        }
    }

    /**
     * Starts a standby ffmpeg on {@code newStep} from the last keyframe every rung has stored
     * past, its keyframes on the running one's grid, and feeds it everything from then on; the
     * renditions pass to it at segment boundaries as it catches up ({@link #check()}). When
     * {@code shed}, the running ffmpeg does not keep up and yields the CPU to the standby. False
     * when there is nothing to start it from.
     */
    boolean switchTo(LadderStep newStep, boolean shed) throws IOException {
        dropStandby();
        List<MediaTag> from = new ArrayList<>(replay);
        int config = 0;
        while (config < from.size() && !(from.get(config).kind() == MediaTag.Kind.VIDEO && from.get(config).sequenceHeader())) {
            config++;
        }
        MediaTag first = from.stream().skip(config)
                .filter(t -> !t.sequenceHeader() && t.kind() != MediaTag.Kind.SCRIPT).findFirst().orElse(null);
        if (process == null || first == null) {
            return false;
        }
        long intervalMs = settings.keyframeSeconds() * 1000L;
        RenditionSink sink = sinks.create(rungs, first.timestamp(), handovers, true);
        handovers.begin(rungs, sink, shed);
        standby = LiveLadderProcess.start(ffmpeg, streamId,
                encoding(newStep, Math.floorMod(first.timestamp() - keyframeOrigin, intervalMs)), sink);
        standbyStep = newStep;
        standbySheds = shed;
        standbyStartedNanos = System.nanoTime();
        if (shed) {
            process.yieldCpu(); // for good: it is stopped once the standby has the renditions, or restarted
        }
        MediaTag video = null;
        MediaTag sound = lastAudioConfig;
        if (sound != null) {
            standby.write(sound);
        }
        for (MediaTag t : from.subList(config, from.size())) {
            MediaTag known = t.kind() == MediaTag.Kind.VIDEO ? video : sound;
            if (!repeats(t, known)) {
                standby.write(t);
            }
            if (t.sequenceHeader() && t.kind() == MediaTag.Kind.VIDEO) {
                video = t;
            } else if (t.sequenceHeader() && t.kind() == MediaTag.Kind.AUDIO) {
                sound = t;
            }
        }
        return true;
    }

    private LadderEncoding encoding(LadderStep at, long keyframePhaseMs) {
        return new LadderEncoding(rungs, at.copied(rungs), at.preset(settings.preset()), FRAME_RATE, audio,
                settings.keyframeSeconds(), settings.fragmentMicros(), keyframePhaseMs);
    }

    private void feedStandby(MediaTag tag) throws IOException {
        if (standby != null) {
            try {
                standby.write(tag);
            } catch (IOException e) {
                log.warn("stream {}: the standby ffmpeg failed ({}); staying on {}", streamId, e.getMessage(), describe());
                dropStandby();
            }
        }
    }

    /** How long a standby ffmpeg has been taking the stream over; null when none is. */
    Duration switching() {
        return standby == null ? null : Duration.ofNanos(System.nanoTime() - standbyStartedNanos);
    }

    /** Whether the standby, if any, is there because the running ffmpeg does not keep up (not a climb). */
    boolean standbySheds() {
        return standby != null && standbySheds;
    }

    /** How many renditions a standby has taken over so far. */
    long switched() {
        return standby == null ? 0 : handovers.taken();
    }

    /** Where the standby's handover of each rendition stands, for a log line. */
    String handoverState() {
        return standby == null ? "no standby" : handovers.describe();
    }

    /**
     * Whether the standby could go on at once from where each rendition it has not taken stands:
     * it has output a segment and a second past the running one's last closed segment, so it has a
     * keyframe after wherever in its open segment the running one's output stopped.
     */
    boolean standbyAhead() {
        return standby != null && handovers.standbyAhead(settings.keyframeSeconds() * 1000L + 1000);
    }

    /**
     * The running ffmpeg is too starved to reach its next segment boundary while a standby is
     * ahead of it: it is stopped, and each rendition it still published is the standby's from its
     * first keyframe after the stopped one's output (RenditionHandover). False when a rendition
     * could not be handed over: the running ffmpeg is stopped all the same, so the caller restarts.
     */
    boolean forceHandover() {
        if (standby == null || process == null) {
            return false;
        }
        if (process.closeAndAwaitReaders()) {
            handovers.forceRest();
        }
        if (!handovers.complete()) {
            return false;
        }
        promoteStandby("by stopping the starved one");
        return true;
    }

    /** Gives the standby up; the running ffmpeg keeps the renditions it has not handed over. */
    void dropStandby() {
        if (standby != null) {
            handovers.cancel();
            standby.close();
            standby = null;
        }
    }

    /** The CPU time (ns) of each of the stream's ffmpeg processes (the running one, a standby), by pid. */
    java.util.Map<Long, Long> cpuNanos() {
        java.util.Map<Long, Long> cpu = new java.util.HashMap<>();
        for (LiveLadderProcess p : new LiveLadderProcess[] {process, standby}) {
            if (p != null) {
                p.cpuTime().ifPresent(t -> cpu.put(p.pid(), t.toNanos()));
            }
        }
        return cpu;
    }

    /** The source's picture size times the ladder's frame rate, in megapixels a second; 0 before it is known. */
    double megapixelsPerSecond() {
        return size == null ? 0 : (double) size.width() * size.height() * FRAME_RATE / 1e6;
    }

    /** The media time waiting for the stream's ffmpeg to take it: how far it is behind. */
    Duration backlog() {
        return process == null ? Duration.ZERO : process.backlog();
    }

    /** How long the stream's ffmpeg has run; zero while none runs. */
    Duration running() {
        return process == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /** The stream timestamp (ms) of the newest media its ffmpeg took; -1 while none runs or before any. */
    long taken() {
        return process == null ? -1 : process.taken();
    }

    String channelId() {
        return channelId;
    }

    /** The x264 preset the running ffmpeg encodes on. */
    String preset() {
        return step.preset(settings.preset());
    }

    /** The x264 preset the operator configured: the one the whole ladder is encoded on when nothing is shed. */
    String configuredPreset() {
        return settings.preset();
    }

    /** How much of the ladder the running ffmpeg encodes. */
    LadderStep step() {
        return step;
    }

    /** The renditions the running ffmpeg does not encode: they carry the source. */
    java.util.Set<String> copied() {
        return step.copied(rungs);
    }

    String describe() {
        return step.describe(settings.preset(), rungs);
    }

    List<Rung> rungs() {
        return rungs;
    }

    /** Given up: no readable codec configuration came; its media is passed over. */
    boolean broken() {
        return broken;
    }

    /**
     * Fails if the stream's ffmpeg stopped taking input. A standby that did is given up; one that
     * has every rendition becomes the running ffmpeg, and the old one is stopped: true then.
     */
    boolean check() throws IOException {
        if (process != null) {
            process.check();
        }
        if (standby == null) {
            return false;
        }
        try {
            standby.check();
        } catch (IOException e) {
            log.warn("stream {}: the standby ffmpeg failed ({}); staying on {}", streamId, e.getMessage(), describe());
            dropStandby();
            return false;
        }
        if (handovers.complete()) {
            promoteStandby("seamlessly");
            return true;
        }
        return false;
    }

    private void promoteStandby(String how) {
        handovers.done();
        process.close();
        process = standby;
        standby = null;
        step = standbyStep;
        // Judged from the swap on: until then it was catching up from the replay beside the old one.
        startedNanos = System.nanoTime();
        log.info("stream {}: now on {}, taken over {} in {} ms", streamId, describe(), how,
                (System.nanoTime() - standbyStartedNanos) / 1_000_000);
    }

    Duration idleFor() {
        return Duration.ofNanos(System.nanoTime() - lastTagNanos);
    }

    /** The stream ended: let ffmpeg finish its last fragments. */
    void finish() {
        if (standby != null && handovers.taken() > 0) {
            // Ended in the middle of a handover: each ffmpeg ends the renditions it publishes.
            handovers.done();
            standby.finish(Duration.ofSeconds(10));
            standby = null;
        }
        dropStandby();
        if (process != null) {
            process.finish(Duration.ofSeconds(10));
        }
    }

    /** Stop at once, e.g. because another worker takes the stream over. */
    @Override
    public void close() {
        dropStandby();
        if (process != null) {
            process.close();
        }
    }

    /** Stop at once, and let the outputs' readers finish, for a new session of this stream here. */
    void abandon() {
        dropStandby();
        if (process != null) {
            process.closeAndAwaitReaders();
        }
    }
}
