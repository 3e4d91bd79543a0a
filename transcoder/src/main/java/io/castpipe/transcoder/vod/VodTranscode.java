package io.castpipe.transcoder.vod;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import java.util.stream.Stream;

import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.HlsUpdate;
import io.castpipe.common.events.RenditionInfo;
import io.castpipe.common.events.SourceInfo;
import io.castpipe.common.events.VideoEvent;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegException;
import io.castpipe.common.ffmpeg.FfmpegJob;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.ObjectNotFoundException;
import io.castpipe.common.node.DataDisk;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.packager.cmaf.InitSegment;
import io.castpipe.packager.hls.MasterPlaylistWriter;
import io.castpipe.packager.hls.MediaPlaylist;
import io.castpipe.packager.hls.Variant;
import io.castpipe.packager.thumbs.Storyboard;
import io.castpipe.transcoder.DeletedVideos;
import io.castpipe.transcoder.live.LiveRecording;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VOD job, start to end: fetch the source, probe it, plan the ladder, run the one ffmpeg
 * process, check what it made, and put it in storage with the master playlist last, so that a
 * video whose master exists is always complete. Scratch files live in a folder of the job's own,
 * removed at the end whatever happens.
 *
 * <p>A video deleted meanwhile stops the job: it looks before it starts, before each ffmpeg and
 * every {@link #DELETION_CHECK_EVERY} while one runs (killing it), before it uploads and once the
 * master is written; then it removes whatever it wrote and ends with a {@link VideoDeletedException}.
 */
final class VodTranscode {
    private static final Logger log = LoggerFactory.getLogger(VodTranscode.class);
    /** Renditions shorter than this share of the source mean ffmpeg stopped early: a truncated file. */
    private static final double MIN_COMPLETE_SHARE = 0.9;
    static final Duration DELETION_CHECK_EVERY = Duration.ofSeconds(3);

    private final ObjectStore store;
    private final Ffmpeg ffmpeg;
    private final Path workDir;
    private final int segmentSeconds;
    private final String preset;
    private final DeletedVideos deleted;
    private final ScheduledExecutorService checks;
    private volatile FfmpegJob running;
    private volatile boolean cancelled;
    private volatile boolean videoDeleted;

    /** @param checks where the job looks, while ffmpeg runs, whether its video was deleted */
    VodTranscode(ObjectStore store, Ffmpeg ffmpeg, Path workDir, int segmentSeconds, String preset, DeletedVideos deleted,
                 ScheduledExecutorService checks) {
        this.store = store;
        this.ffmpeg = ffmpeg;
        this.workDir = workDir;
        this.segmentSeconds = segmentSeconds;
        this.preset = preset;
        this.deleted = deleted;
        this.checks = checks;
    }

    /**
     * Makes the video playable and returns the READY event to announce.
     *
     * @param progress hears 0..1 as ffmpeg gets through the source
     * @throws JobFailure when the source is not a usable video
     * @throws IOException and storage errors for failures worth another attempt
     * @throws CancellationException when {@link #cancel()} stopped it
     * @throws VideoDeletedException when the video was deleted; what the job wrote is gone again
     */
    VideoEvent run(String videoId, String sourceKey, String jobId, DoubleConsumer progress) throws JobFailure, IOException {
        Path dir = workDir.resolve(videoId);
        deleteTree(dir);
        Files.createDirectories(dir.resolve("out").resolve("thumbs"));
        try {
            checkDeleted(videoId);
            Path source = dir.resolve("source");
            fetch(sourceKey, source);
            SourceInfo info = SourceProbe.probe(ffmpeg, source, videoId);
            List<Rung> rungs = LadderPlanner.plan(info);
            double fps = LadderPlanner.outputFrameRate(info);
            Storyboard storyboard = LadderPlanner.storyboard(info);
            log.info("video {}: {}x{} {} {} s, ladder {}", videoId, info.width(), info.height(), info.videoCodec(),
                    Math.round(info.durationSeconds()), rungs.stream().map(Rung::name).toList());

            Path out = dir.resolve("out");
            for (Rung r : rungs) {
                Files.createDirectories(out.resolve(r.name()));
            }
            runFfmpeg(videoId, "-ladder", LadderCommand.args(source, out, rungs, fps, info.audioCodec() != null,
                    segmentSeconds, preset, storyboard), info.durationSeconds(), progress);
            runFfmpeg(videoId, "-poster", LadderCommand.posterArgs(source, out.resolve("thumbs").resolve("poster.jpg"),
                    info.durationSeconds(), rungs.get(0)), 0, p -> { });
            checkDeleted(videoId);

            List<RenditionInfo> renditions = new ArrayList<>();
            List<Variant> variants = new ArrayList<>();
            for (Rung r : rungs) {
                Variant v = upload(videoId, out.resolve(r.name()), r, fps, info.durationSeconds());
                variants.add(v);
                renditions.add(new RenditionInfo(r.name(), r.width(), r.height(), v.bandwidth(), v.averageBandwidth(),
                        String.join(",", v.codecs()), fps));
            }
            uploadThumbs(videoId, out.resolve("thumbs"), storyboard, info.durationSeconds());
            VideoEvent ready = VideoEvent.ready(videoId, info.durationSeconds(), info, renditions);
            if (jobId != null) {
                store.put(ObjectKeys.vodOutcome(videoId), EventCodec.encode(new JobOutcome(jobId, ready)), "application/json");
            }
            store.put(ObjectKeys.vodMaster(videoId), MasterPlaylistWriter.write(variants).getBytes(),
                    "application/vnd.apple.mpegurl");
            // Deleted while this was uploading: the API may have cleared the folder before the last objects came.
            checkDeleted(videoId);
            return ready;
        } catch (VideoDeletedException e) {
            store.deleteByPrefix(ObjectKeys.vodPrefix(videoId));
            throw e;
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * The recording of a live stream whose worker stopped before making it, from what its live
     * renditions left in storage; empty when they left nothing to play.
     *
     * @param announcer where the renditions ended here are announced, so origins stop waiting for more
     * @throws VideoDeletedException when the recording's video was deleted
     * @throws LiveRecording.StillWrittenException when a live worker still packages the stream
     */
    Optional<VideoEvent> recording(String streamId, Consumer<HlsUpdate> announcer)
            throws IOException, LiveRecording.StillWrittenException {
        checkDeleted(streamId);
        return LiveRecording.make(store, streamId, announcer);
    }

    /** Whether storage answers now: a look at the job's source, there or not. */
    boolean storageAnswers(String sourceKey) {
        try {
            store.head(sourceKey);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** This worker can write a job's files again (a full disk stops a job without being the job's fault). */
    boolean diskWritable() {
        return DataDisk.writable(workDir);
    }

    /** What a finished job left beside its renditions: its id and the READY event it announced. */
    record JobOutcome(String jobId, VideoEvent ready) {
    }

    /** The READY event of job {@code jobId}, if that job already made the video playable. */
    Optional<VideoEvent> outcomeOf(String videoId, String jobId) throws IOException {
        if (jobId == null || store.head(ObjectKeys.vodMaster(videoId)).isEmpty()) {
            return Optional.empty();
        }
        JobOutcome outcome;
        try (InputStream in = store.get(ObjectKeys.vodOutcome(videoId))) {
            outcome = EventCodec.decode(in.readAllBytes(), JobOutcome.class);
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            log.warn("video {}: its outcome.json is unreadable ({}); doing job {}", videoId, e.getMessage(), jobId);
            return Optional.empty();
        }
        return jobId.equals(outcome.jobId()) && outcome.ready() != null ? Optional.of(outcome.ready()) : Optional.empty();
    }

    /** Kills the job's ffmpeg, if any; the job then ends with a {@link CancellationException}. */
    void cancel() {
        cancelled = true;
        FfmpegJob job = running;
        if (job != null) {
            job.kill("job cancelled");
        }
    }

    private void fetch(String sourceKey, Path target) throws JobFailure, IOException {
        try (InputStream in = store.get(sourceKey)) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (ObjectNotFoundException e) {
            throw new JobFailure("source_missing", "The uploaded file is no longer in storage.");
        }
    }

    private void runFfmpeg(String videoId, String what, List<String> args, double durationSeconds, DoubleConsumer progress)
            throws JobFailure {
        checkCancelled();
        checkDeleted(videoId);
        FfmpegJob job = ffmpeg.command(videoId + what).args(args)
                .onProgress(p -> {
                    if (durationSeconds > 0) {
                        progress.accept(Math.min(1.0, p.outTime().toMillis() / 1000.0 / durationSeconds));
                    }
                })
                .start();
        running = job;
        long every = DELETION_CHECK_EVERY.toMillis();
        ScheduledFuture<?> watch = checks.scheduleWithFixedDelay(() -> killIfDeleted(videoId, job), every, every,
                TimeUnit.MILLISECONDS);
        try {
            job.await();
        } catch (FfmpegException e) {
            checkCancelled();
            throw new JobFailure("transcode_failed", "ffmpeg could not transcode the video: " + lastLine(e) + ".");
        } finally {
            watch.cancel(false);
            running = null;
        }
        checkCancelled();
    }

    private void killIfDeleted(String videoId, FfmpegJob job) {
        try {
            if (deleted.isDeleted(videoId)) {
                videoDeleted = true;
                job.kill("video deleted");
            }
        } catch (RuntimeException storageCannotTell) {
            // looked at again in a few seconds, and before anything is uploaded
        }
    }

    private void checkDeleted(String videoId) {
        if (videoDeleted || deleted.isDeleted(videoId)) {
            throw new VideoDeletedException();
        }
    }

    private Variant upload(String videoId, Path dir, Rung rung, double fps, double sourceSeconds) throws JobFailure, IOException {
        Path playlistFile = dir.resolve("index.m3u8");
        if (!Files.exists(playlistFile)) {
            throw new JobFailure("transcode_failed", "ffmpeg made no " + rung.name() + " rendition.");
        }
        String text = Files.readString(playlistFile);
        MediaPlaylist playlist = MediaPlaylist.parse(text);
        if (playlist.segments().isEmpty() || playlist.durationSeconds() < sourceSeconds * MIN_COMPLETE_SHARE) {
            throw new JobFailure("truncated", String.format(java.util.Locale.ROOT,
                    "The video stops after %.1f s of the %.1f s it claims; the file is probably truncated or damaged.",
                    playlist.durationSeconds(), sourceSeconds));
        }
        byte[] init = Files.readAllBytes(dir.resolve(playlist.mapUri()));
        store.put(ObjectKeys.vodFile(videoId, rung.name(), playlist.mapUri()), init, "video/mp4");
        List<Long> sizes = new ArrayList<>();
        for (MediaPlaylist.Segment s : playlist.segments()) {
            Path file = dir.resolve(s.uri());
            long size = Files.size(file);
            sizes.add(size);
            try (InputStream in = Files.newInputStream(file)) {
                store.put(ObjectKeys.vodFile(videoId, rung.name(), s.uri()), in, size, "video/iso.segment");
            }
        }
        store.put(ObjectKeys.vodFile(videoId, rung.name(), "index.m3u8"), text.getBytes(), "application/vnd.apple.mpegurl");
        return Variant.measure(rung.name() + "/index.m3u8", playlist, init.length, sizes, rung.width(), rung.height(),
                InitSegment.codecs(init), fps);
    }

    private void uploadThumbs(String videoId, Path dir, Storyboard storyboard, double duration) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                store.put(ObjectKeys.vodThumb(videoId, f.getFileName().toString()), Files.readAllBytes(f), "image/jpeg");
            }
        }
        store.put(ObjectKeys.vodThumb(videoId, "storyboard.vtt"),
                storyboard.vtt(duration, LadderCommand.SPRITE_PREFIX).getBytes(), "text/vtt");
    }

    private void checkCancelled() {
        if (videoDeleted) {
            throw new VideoDeletedException();
        }
        if (cancelled) {
            throw new CancellationException();
        }
    }

    private static String lastLine(FfmpegException e) {
        List<String> tail = e.stderrTail();
        return tail.isEmpty() ? e.getMessage() : tail.get(tail.size() - 1).trim();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The video was deleted: the job is over for good, its output removed. */
    static final class VideoDeletedException extends RuntimeException {
        VideoDeletedException() {
            super("video deleted", null, false, false);
        }
    }

    /** The job was stopped on purpose (rebalance or shutdown); it stays uncommitted for another worker. */
    static final class CancellationException extends RuntimeException {
        CancellationException() {
            super("job cancelled", null, false, false);
        }
    }
}
