package io.castpipe.transcoder.vod;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.castpipe.common.TestServices;
import io.castpipe.transcoder.ApiVideos;
import io.castpipe.transcoder.StoredRendition;
import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.RenditionInfo;
import io.castpipe.common.events.VideoEvent;
import io.castpipe.common.events.VodJob;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.media.Ids;
import io.castpipe.common.metrics.Metrics;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.node.NodeContext;
import io.castpipe.common.storage.ObjectInfo;
import io.castpipe.common.storage.S3ObjectStore;
import io.castpipe.common.storage.S3Settings;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The VOD worker against the real broker, S3 server and ffmpeg: a job in, a playable ladder out. */
class VodTranscoderServiceTest {
    private static final String PREFIX = "vodtest.";
    private static S3ObjectStore store;
    private static FlakyStore flaky;
    private static Ffmpeg ffmpeg;
    private static KafkaSettings kafka;
    private static Topics topics;
    private static EventPublisher publisher;
    private static VodTranscoderService service;
    private static KafkaConsumer<String, byte[]> events;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = TestServices.tempDir("vod");
        store = new S3ObjectStore(new S3Settings(URI.create(TestServices.s3().endpoint()), "us-east-1", "vod-test",
                TestServices.S3_ACCESS_KEY, TestServices.S3_SECRET_KEY, true, 5 * 1024 * 1024));
        store.ensureBucket();
        ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofMinutes(5));
        kafka = new KafkaSettings(TestServices.kafka().bootstrapServers(), "vod-test", Duration.ofSeconds(15));
        topics = new Topics(PREFIX);
        topics.ensureCreated(kafka, 2, (short) 1);
        publisher = new EventPublisher(kafka, topics, "test");
        CastpipeConfig config = CastpipeConfig.from(Map.of("CASTPIPE_VOD_WORKERS", "2", "CASTPIPE_VOD_MAX_ATTEMPTS", "2"));
        flaky = new FlakyStore(store);
        service = new VodTranscoderService(new NodeContext(config, dir, kafka, topics, flaky, null, ffmpeg, null, new Metrics("test"), null, null));
        service.start();
        events = new KafkaConsumer<>(kafka.consumer("test-events"));
        events.subscribe(List.of(topics.name(Topic.VIDEO_EVENTS)));
    }

    @AfterAll
    static void stop() {
        service.close();
        events.close();
        publisher.close();
        ffmpeg.close();
        store.close();
    }

    @Test
    void aJobBecomesAPlayableLadderWithThumbnailsAndTheMasterLast() throws Exception {
        Path clip = dir.resolve("clip.mp4");
        ffmpeg.command("make-clip").args("-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=10",
                "-f", "lavfi", "-i", "sine=frequency=440:duration=10", "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip.toString()).run();
        String id = Ids.newId();
        ApiVideos.created(store, id);
        store.put(ObjectKeys.uploadSource(id), Files.readAllBytes(clip), "video/mp4");

        publisher.publishDurably(Topic.VOD_JOBS, id, new VodJob(id, ObjectKeys.uploadSource(id), java.time.Instant.now(), Ids.newId()));
        List<VideoEvent> seen = awaitEvents(id, VideoEvent.Type.READY, Duration.ofSeconds(90));

        assertThat(seen).extracting(VideoEvent::type).contains(VideoEvent.Type.PROCESSING, VideoEvent.Type.PROGRESS);
        VideoEvent ready = seen.get(seen.size() - 1);
        assertThat(ready.renditions()).extracting(RenditionInfo::name).containsExactly("720p", "480p", "360p");
        assertThat(ready.renditions()).allSatisfy(r -> {
            assertThat(r.codecs()).startsWith("avc1.").endsWith(",mp4a.40.2");
            assertThat(r.bandwidth()).isGreaterThanOrEqualTo(r.averageBandwidth()).isPositive();
        });
        assertThat(ready.durationSeconds()).isBetween(9.9, 10.2);

        String master = new String(store.get(ObjectKeys.vodMaster(id)).readAllBytes());
        assertThat(master).contains("RESOLUTION=1280x720", "RESOLUTION=854x480", "RESOLUTION=640x360",
                "AVERAGE-BANDWIDTH=", "FRAME-RATE=30.000", "CODECS=\"avc1.");
        // Nothing was written after the master: a video whose master exists is complete.
        List<ObjectInfo> objects = store.list(ObjectKeys.vodPrefix(id));
        ObjectInfo masterInfo = objects.stream().filter(o -> o.key().endsWith("/master.m3u8")).findFirst().orElseThrow();
        assertThat(objects).allMatch(o -> !o.lastModified().isAfter(masterInfo.lastModified()));
        assertThat(objects).extracting(ObjectInfo::key).contains(ObjectKeys.vodThumb(id, "poster.jpg"),
                ObjectKeys.vodThumb(id, "sprite-1.jpg"), ObjectKeys.vodThumb(id, "storyboard.vtt"));
        String vtt = new String(store.get(ObjectKeys.vodThumb(id, "storyboard.vtt")).readAllBytes());
        assertThat(vtt).startsWith("WEBVTT").contains("00:00:09.000 --> 00:00:10.", "sprite-1.jpg#xywh=");

        // Keyframes at the same instants everywhere: every rendition has the same segment durations.
        List<List<Double>> durations = new ArrayList<>();
        for (RenditionInfo r : ready.renditions()) {
            String playlist = new String(store.get(ObjectKeys.vodFile(id, r.name(), "index.m3u8")).readAllBytes());
            durations.add(io.castpipe.packager.hls.MediaPlaylist.parse(playlist).segments().stream()
                    .map(io.castpipe.packager.hls.MediaPlaylist.Segment::durationSeconds).toList());
        }
        assertThat(durations).allSatisfy(d -> assertThat(d).isEqualTo(durations.get(0)).startsWith(4.0, 4.0));
        for (RenditionInfo r : ready.renditions()) {
            Path local = StoredRendition.download(store, ObjectKeys.vodPrefix(id) + r.name() + "/", dir.resolve(id).resolve(r.name()));
            assertThat(StoredRendition.decodedSeconds(ffmpeg, local.resolve("index.m3u8"))).as(r.name()).isBetween(9.8, 10.2);
            assertThat(decodedHeight(local.resolve("index.m3u8"))).isEqualTo(r.height());
        }
    }

    @Test
    void workFoldersAJobLeftLongAgoAreRemovedAtStartAndOneInUseIsNot() throws Exception {
        Path root = TestServices.tempDir("vod-leftovers");
        Path work = root.resolve("work").resolve("vod");
        Path stale = Files.createDirectories(work.resolve("killed-job"));
        Path file = Files.writeString(stale.resolve("source"), "what a killed job left");
        java.nio.file.attribute.FileTime longAgo = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(VodTranscoderService.LEFTOVER_AGE).minusSeconds(60));
        Files.setLastModifiedTime(file, longAgo);
        Files.setLastModifiedTime(stale, longAgo);
        Path inUse = Files.createDirectories(work.resolve("running-job"));
        Files.writeString(inUse.resolve("source"), "a job of another process sharing the data folder");

        VodTranscoderService other = new VodTranscoderService(new NodeContext(CastpipeConfig.from(Map.of("CASTPIPE_VOD_WORKERS", "0")),
                root, kafka, topics, store, null, ffmpeg, null, new Metrics("test"), null, null));
        other.start();
        other.close();

        assertThat(stale).doesNotExist();
        assertThat(inUse.resolve("source")).exists();
    }

    @Test
    void theSameJobSentAgainIsAnnouncedAgainNotDoneAgain() throws Exception {
        Path clip = dir.resolve("twice-clip.mp4");
        ffmpeg.command("make-twice-clip").args("-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=3",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip.toString()).run();
        String id = Ids.newId();
        ApiVideos.created(store, id);
        store.put(ObjectKeys.uploadSource(id), Files.readAllBytes(clip), "video/mp4");
        VodJob job = new VodJob(id, ObjectKeys.uploadSource(id), java.time.Instant.now(), Ids.newId());
        publisher.publishDurably(Topic.VOD_JOBS, id, job);
        VideoEvent first = last(awaitEvents(id, VideoEvent.Type.READY, Duration.ofSeconds(90)));
        java.time.Instant masterWritten = store.head(ObjectKeys.vodMaster(id)).orElseThrow().lastModified();
        int seenBefore = RECEIVED.get(id).size();

        publisher.publishDurably(Topic.VOD_JOBS, id, job);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            receiveFor(Duration.ofMillis(200));
            return RECEIVED.get(id).size() > seenBefore;
        });

        List<VideoEvent> after = RECEIVED.get(id).subList(seenBefore, RECEIVED.get(id).size());
        assertThat(after).as("its outcome, and nothing of a second transcode").extracting(VideoEvent::type)
                .containsExactly(VideoEvent.Type.READY);
        assertThat(after.get(0).renditions()).isEqualTo(first.renditions());
        assertThat(store.head(ObjectKeys.vodMaster(id)).orElseThrow().lastModified()).isEqualTo(masterWritten);
    }

    @Test
    void aJobWhoseVideoHasNoAccessRecordYetGoesOn() throws Exception {
        Path clip = dir.resolve("unrecorded-clip.mp4");
        ffmpeg.command("make-unrecorded-clip").args("-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=3",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip.toString()).run();
        // No access record: not known yet (the API is behind), which is not deleted.
        String id = Ids.newId();
        store.put(ObjectKeys.uploadSource(id), Files.readAllBytes(clip), "video/mp4");
        publisher.publishDurably(Topic.VOD_JOBS, id, new VodJob(id, ObjectKeys.uploadSource(id), java.time.Instant.now(), Ids.newId()));
        awaitEvents(id, VideoEvent.Type.READY, Duration.ofSeconds(90));
        assertThat(store.head(ObjectKeys.vodMaster(id))).isPresent();
        assertThat(store.head(ObjectKeys.accessRecord(id))).as("the transcoder writes no record").isEmpty();
    }

    @Test
    void inputsThatAreNotVideoFailWithAReason() throws Exception {
        String junk = Ids.newId();
        store.put(ObjectKeys.uploadSource(junk), "just some text, not a video".getBytes(), "application/octet-stream");
        String empty = Ids.newId();
        store.put(ObjectKeys.uploadSource(empty), new byte[0], "application/octet-stream");
        Path clip = dir.resolve("truncated-source.mp4");
        ffmpeg.command("make-truncated").args("-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", clip.toString()).run();
        byte[] whole = Files.readAllBytes(clip);
        String truncated = Ids.newId();
        // The moov index sits at the end of ffmpeg's MP4s: cutting the file in half loses it.
        store.put(ObjectKeys.uploadSource(truncated), java.util.Arrays.copyOf(whole, whole.length / 2), "video/mp4");

        for (String id : List.of(junk, empty, truncated)) {
            ApiVideos.created(store, id);
            publisher.publishDurably(Topic.VOD_JOBS, id, new VodJob(id, ObjectKeys.uploadSource(id), java.time.Instant.now(), Ids.newId()));
        }
        VideoEvent junkFailed = last(awaitEvents(junk, VideoEvent.Type.FAILED, Duration.ofSeconds(30)));
        VideoEvent emptyFailed = last(awaitEvents(empty, VideoEvent.Type.FAILED, Duration.ofSeconds(30)));
        VideoEvent truncatedFailed = last(awaitEvents(truncated, VideoEvent.Type.FAILED, Duration.ofSeconds(30)));

        assertThat(junkFailed.error().code()).isEqualTo("unreadable_input");
        assertThat(junkFailed.error().message()).startsWith("The file is not a video Castpipe can read");
        assertThat(emptyFailed.error().code()).isEqualTo("empty_file");
        assertThat(truncatedFailed.error().code()).isEqualTo("truncated");
        assertThat(truncatedFailed.error().message()).startsWith("The file is incomplete");
        for (String id : List.of(junk, empty, truncated)) {
            assertThat(store.head(ObjectKeys.vodMaster(id))).isEmpty();
        }
    }

    @Test
    void aJobThatKeepsFailingForATransientReasonIsRetriedThenDeadLettered() throws Exception {
        String id = Ids.newId();
        ApiVideos.created(store, id);
        flaky.failingReads.add(ObjectKeys.uploadSource(id));
        try (KafkaConsumer<String, byte[]> dlq = new KafkaConsumer<>(kafka.consumer("test-dlq"))) {
            dlq.subscribe(List.of(topics.name(Topic.VOD_JOBS_DLQ)));
            publisher.publishDurably(Topic.VOD_JOBS, id, new VodJob(id, ObjectKeys.uploadSource(id), java.time.Instant.now(), Ids.newId()));

            List<VideoEvent> seen = awaitEvents(id, VideoEvent.Type.FAILED, Duration.ofSeconds(30));
            assertThat(seen.stream().filter(e -> e.type() == VideoEvent.Type.PROCESSING)).hasSize(2); // two attempts
            assertThat(last(seen).error().code()).isEqualTo("processing_error");
            assertThat(last(seen).error().message()).contains("2 times").contains("Connection refused");

            List<DeadLetter> letters = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (letters.isEmpty() && System.nanoTime() < deadline) {
                dlq.poll(Duration.ofMillis(200)).forEach(r -> letters.add(EventCodec.decode(r.value(), DeadLetter.class)));
            }
            assertThat(letters).singleElement().satisfies(l -> {
                assertThat(l.job().videoId()).isEqualTo(id);
                assertThat(l.attempts()).isEqualTo(2);
            });
        }
    }

    @Test
    void aJobWhoseVideoIsDeletedKillsItsFfmpegRemovesWhatItWroteAndIsCommittedNotRetried() throws Exception {
        Path clip = dir.resolve("long-clip.mp4");
        ffmpeg.command("make-long-clip").args("-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=90",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip.toString()).run();
        String id = Ids.newId();
        ApiVideos.created(store, id);
        store.put(ObjectKeys.uploadSource(id), Files.readAllBytes(clip), "video/mp4");
        RecordMetadata job = publisher.publish(Topic.VOD_JOBS, id, new VodJob(id, ObjectKeys.uploadSource(id),
                java.time.Instant.now(), Ids.newId())).get(30, TimeUnit.SECONDS);
        // The ladder's ffmpeg writes into the job's out folder.
        await().atMost(Duration.ofSeconds(120)).until(() -> ffmpegOf(id + "/out").size() == 1);

        // The API deletes the video: its access record becomes a tombstone first, then its objects go.
        ApiVideos.deleted(store, id);
        store.deleteByPrefix("uploads/" + id + "/");
        long deleted = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> ffmpegOf(id).isEmpty());
        System.out.printf("the deleted video's ffmpeg was gone %.1f s after the deletion%n", (System.nanoTime() - deleted) / 1e9);
        TopicPartition partition = new TopicPartition(job.topic(), job.partition());
        try (KafkaConsumer<String, byte[]> group = new KafkaConsumer<>(kafka.consumer(VodJobConsumer.GROUP))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                OffsetAndMetadata committed = group.committed(Set.of(partition)).get(partition);
                return committed != null && committed.offset() > job.offset();
            });
        }
        assertThat(store.list(ObjectKeys.vodPrefix(id))).isEmpty();
        assertThat(store.head(ObjectKeys.accessRecord(id))).as("the tombstone stays").isPresent();
        receiveFor(Duration.ofSeconds(3));
        assertThat(RECEIVED.get(id)).extracting(VideoEvent::type).doesNotContain(VideoEvent.Type.READY, VideoEvent.Type.FAILED)
                .filteredOn(t -> t == VideoEvent.Type.PROCESSING).hasSize(1);
    }

    /** The ffmpeg processes working on video {@code id} (or on {@code id/…}): their arguments name its scratch folder. */
    private static List<ProcessHandle> ffmpegOf(String id) {
        String folder = dir.resolve("work").resolve("vod") + "/" + id;
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(folder)).orElse(false)).toList();
    }

    private static final Map<String, List<VideoEvent>> RECEIVED = new java.util.concurrent.ConcurrentHashMap<>();

    /** Every event of {@code id} up to the first of type {@code until}. */
    private static synchronized List<VideoEvent> awaitEvents(String id, VideoEvent.Type until, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            List<VideoEvent> mine = RECEIVED.getOrDefault(id, List.of());
            if (mine.stream().anyMatch(e -> e.type() == until)) {
                return mine;
            }
            events.poll(Duration.ofMillis(200)).forEach(r -> RECEIVED.computeIfAbsent(r.key(), k -> new ArrayList<>())
                    .add(EventCodec.decode(r.value(), VideoEvent.class)));
        }
        throw new AssertionError("no " + until + " event for " + id + " within " + limit + "; saw " + RECEIVED.get(id));
    }

    /** Whatever events arrive within {@code time}: what an outcome published before its offset was committed is in by then. */
    private static synchronized void receiveFor(Duration time) {
        long deadline = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < deadline) {
            events.poll(Duration.ofMillis(200)).forEach(r -> RECEIVED.computeIfAbsent(r.key(), k -> new ArrayList<>())
                    .add(EventCodec.decode(r.value(), VideoEvent.class)));
        }
    }

    private static VideoEvent last(List<VideoEvent> list) {
        return list.get(list.size() - 1);
    }

    /** What ffmpeg says of our own output playlist (not an upload, so opened without the upload's restrictions). */
    private static int decodedHeight(Path playlist) throws Exception {
        try {
            ffmpeg.command("height").args("-i", playlist.toString()).run();
            throw new AssertionError("ffmpeg accepted a command without an output");
        } catch (io.castpipe.common.ffmpeg.FfmpegException e) {
            return SourceProbe.parse(e.stderrTail(), java.nio.file.Files.size(playlist), false).height();
        }
    }
}
