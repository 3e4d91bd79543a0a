package io.castpipe.transcoder.live;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
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
 */
public final class LiveStreamSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveStreamSession.class);
    /** What may wait for the codec configuration before the stream is given up as broken. */
    private static final int MAX_PENDING_TAGS = 2000;
    private static final long MAX_PENDING_BYTES = 32L << 20;
    /** Live ladders run at this rate until the frame rate is read from the stream. */
    static final double FRAME_RATE = 30;
    /** What is kept to give a restarted ffmpeg again; past this, a restart loses what the old one had not stored. */
    private static final long MAX_REPLAY_BYTES = 32L << 20;

    private final String streamId;
    private final Ffmpeg ffmpeg;
    private final LiveSettings settings;
    private final BiFunction<List<Rung>, Long, RenditionSink> sinks;
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
    private String preset;
    private long startedNanos;

    /**
     * @param sinks gives, once the ladder is planned, where its renditions go; its second argument
     *              is the stream timestamp (ms) of the first frame ffmpeg gets, where ffmpeg's
     *              output time starts (not 0 for a worker that takes the stream over mid-way)
     * @param storedUntil the stream timestamp (ms) before which every rung's output is stored, -1 before any
     */
    public LiveStreamSession(String streamId, Ffmpeg ffmpeg, LiveSettings settings,
                             BiFunction<List<Rung>, Long, RenditionSink> sinks, LongSupplier storedUntil) {
        this.streamId = streamId;
        this.ffmpeg = ffmpeg;
        this.settings = settings;
        this.sinks = sinks;
        this.storedUntil = storedUntil;
        this.preset = settings.preset();
    }

    public void accept(MediaTag tag) throws IOException {
        lastTagNanos = System.nanoTime();
        if (broken) {
            return;
        }
        if (process != null) {
            MediaTag known = tag.kind() == MediaTag.Kind.VIDEO ? lastVideoConfig : lastAudioConfig;
            if (tag.sequenceHeader() && known != null && java.util.Arrays.equals(tag.payload(), known.payload())) {
                return; // ingest repeats the configuration before every keyframe; ffmpeg has it
            }
            remember(tag);
            give(tag);
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
        log.info("stream {}: {}x{}{}, ladder {}", streamId, size.width(), size.height(), audio ? " with audio" : "",
                rungs.stream().map(Rung::name).toList());
        process = LiveLadderProcess.start(ffmpeg, streamId, rungs, FRAME_RATE, audio, settings.keyframeSeconds(),
                settings.fragmentMicros(), preset, sinks.apply(rungs, firstFrameTimestamp));
        startedNanos = System.nanoTime();
        for (MediaTag t : pending) {
            give(t);
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

    private void give(MediaTag tag) throws IOException {
        process.write(tag);
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
     * Starts the stream's ffmpeg again with {@code preset}, from the last keyframe every rung has
     * stored past (ingest sends the configuration before every keyframe), then what the old one
     * had not been given yet: the playlists go on after a discontinuity, as after a takeover, and
     * show the seconds since that keyframe twice rather than lose what the old ffmpeg held.
     */
    public void restart(String newPreset) throws IOException {
        preset = newPreset;
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

    /** The media time waiting for the stream's ffmpeg to take it: how far it is behind. */
    public Duration backlog() {
        return process == null ? Duration.ZERO : process.backlog();
    }

    /** How long the stream's ffmpeg has run; zero while none runs. */
    public Duration running() {
        return process == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /** The stream timestamp (ms) of the newest media its ffmpeg took; -1 while none runs or before any. */
    public long taken() {
        return process == null ? -1 : process.taken();
    }

    public List<Rung> rungs() {
        return rungs;
    }

    /** Given up: no readable codec configuration came; its media is passed over. */
    public boolean broken() {
        return broken;
    }

    /** Fails if the stream's ffmpeg stopped taking input. */
    public void check() throws IOException {
        if (process != null) {
            process.check();
        }
    }

    public Duration idleFor() {
        return Duration.ofNanos(System.nanoTime() - lastTagNanos);
    }

    /** The stream ended: let ffmpeg finish its last fragments. */
    public void finish() {
        if (process != null) {
            process.finish(Duration.ofSeconds(10));
        }
    }

    /** Stop at once, e.g. because another worker takes the stream over. */
    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }

    /** Stop at once, and let the outputs' readers finish, for a new session of this stream here. */
    public void abandon() {
        if (process != null) {
            process.closeAndAwaitReaders();
        }
    }
}
