package io.castpipe.transcoder.live;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

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

    private final String streamId;
    private final Ffmpeg ffmpeg;
    private final LiveSettings settings;
    private final BiFunction<List<Rung>, Long, RenditionSink> sinks;
    private final List<MediaTag> pending = new ArrayList<>();
    private long pendingBytes;
    private AvcSequenceHeader.PictureSize size;
    private boolean audio;
    private LiveLadderProcess process;
    private List<Rung> rungs = List.of();
    private boolean broken;
    private byte[] lastVideoConfig;
    private byte[] lastAudioConfig;
    private long lastTagNanos = System.nanoTime();

    /**
     * @param sinks gives, once the ladder is planned, where its renditions go; its second argument
     *              is the stream timestamp (ms) of the first frame ffmpeg gets, where ffmpeg's
     *              output time starts (not 0 for a worker that takes the stream over mid-way)
     */
    public LiveStreamSession(String streamId, Ffmpeg ffmpeg, LiveSettings settings,
                             BiFunction<List<Rung>, Long, RenditionSink> sinks) {
        this.streamId = streamId;
        this.ffmpeg = ffmpeg;
        this.settings = settings;
        this.sinks = sinks;
    }

    public void accept(MediaTag tag) throws IOException {
        lastTagNanos = System.nanoTime();
        if (broken) {
            return;
        }
        if (process != null) {
            if (tag.sequenceHeader() && java.util.Arrays.equals(tag.payload(), tag.kind() == MediaTag.Kind.VIDEO
                    ? lastVideoConfig : lastAudioConfig)) {
                return; // ingest repeats the configuration before every keyframe; ffmpeg has it
            }
            remember(tag);
            process.write(flvType(tag), tag.timestamp(), tag.payload());
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
                settings.fragmentMicros(), settings.preset(), sinks.apply(rungs, firstFrameTimestamp));
        for (MediaTag t : pending) {
            process.write(flvType(t), t.timestamp(), t.payload());
        }
        process.flush();
        pending.clear();
        pendingBytes = 0;
    }

    private void remember(MediaTag tag) {
        if (tag.sequenceHeader()) {
            if (tag.kind() == MediaTag.Kind.VIDEO) {
                lastVideoConfig = tag.payload();
            } else if (tag.kind() == MediaTag.Kind.AUDIO) {
                lastAudioConfig = tag.payload();
            }
        }
    }

    public List<Rung> rungs() {
        return rungs;
    }

    /** Given up: no readable codec configuration came; its media is passed over. */
    public boolean broken() {
        return broken;
    }

    public void flush() throws IOException {
        if (process != null) {
            process.flush();
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

    private static int flvType(MediaTag tag) {
        return switch (tag.kind()) {
            case AUDIO -> FlvWriter.AUDIO;
            case VIDEO -> FlvWriter.VIDEO;
            case SCRIPT -> FlvWriter.SCRIPT;
        };
    }
}
