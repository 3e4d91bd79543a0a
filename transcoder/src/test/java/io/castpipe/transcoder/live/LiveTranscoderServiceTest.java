package io.castpipe.transcoder.live;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.HlsUpdate;
import io.castpipe.common.events.MediaTagCodec;
import io.castpipe.common.events.RenditionInfo;
import io.castpipe.common.events.VideoEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.LatencyMode;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.metrics.Metrics;
import io.castpipe.common.storage.S3ObjectStore;
import io.castpipe.transcoder.ApiVideos;
import io.castpipe.transcoder.StoredRendition;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Media records on Kafka in, a live ladder of HLS renditions in storage out, ended into a VOD. */
class LiveTranscoderServiceTest {

    /** With passthrough, the source is offered too, copied: its own profile (baseline from x264 ultrafast), not the ladder's. */
    /** The channel's latency mode rides on every tag: low gets LL-HLS parts announced, normal whole segments only. */
    @ParameterizedTest(name = "passthrough {0}, latency {1}")
    @CsvSource({"false, LOW", "true, NORMAL"})
    void mediaRecordsBecomeALiveLadderThatEndsAsAPlayableRecording(boolean passthrough, LatencyMode latency) throws Exception {
        try (LiveTestWorld w = LiveTestWorld.open("live-test", 2)) {
            w.start(Map.of("CASTPIPE_LIVE_PASSTHROUGH", String.valueOf(passthrough)), new Metrics("test"));
            try (EventPublisher ingest = w.ingest()) {
                Thread.sleep(3000); // let the member join before media flows: it starts at the latest offset
                Path flv = w.dir.resolve("source.flv");
                w.ffmpeg.command("source").args("-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=6",
                        "-f", "lavfi", "-i", "sine=duration=6", "-c:v", "libx264", "-preset", "ultrafast", "-g", "30",
                        "-c:a", "aac", "-shortest", "-f", "flv", flv.toString()).run();
                String streamId = Ids.newId();
                ApiVideos.created(w.store, streamId);
                long start = System.currentTimeMillis();
                for (FlvFile.Tag t : FlvFile.read(flv).tags()) {
                    ingest.publishBytes(Topic.MEDIA_LIVE, streamId, MediaTagCodec.encode(LiveTestMedia.toTag(streamId, t, start, latency)), null);
                }

                String master = awaitObject(w.store, ObjectKeys.liveMaster(streamId), Duration.ofSeconds(30));
                assertThat(master).contains("RESOLUTION=1280x720", "RESOLUTION=854x480", "RESOLUTION=640x360", "CODECS=\"avc1.");
                String[] renditions = passthrough ? new String[] {"source", "720p", "480p", "360p"} : new String[] {"720p", "480p", "360p"};
                if (passthrough) {
                    // Measured from the source's first segment, not a nominal figure; the copy keeps the source's profile.
                    assertThat(master).containsPattern("BANDWIDTH=\\d+,AVERAGE-BANDWIDTH=\\d+,RESOLUTION=1280x720,CODECS=\"avc1\\.42[0-9A-Fa-f]{4},mp4a\\.40\\.2\"[^\n]*\nsource/index\\.m3u8");
                } else {
                    assertThat(master).doesNotContain("source/");
                }
                for (String r : renditions) {
                    String playlist = awaitObject(w.store, ObjectKeys.liveFile(streamId, r, "index.m3u8"), Duration.ofSeconds(30));
                    assertThat(playlist).contains("#EXT-X-PROGRAM-DATE-TIME:", "#EXT-X-MAP:URI=\"init.mp4\"");
                }
                // After the media stops the stream is finished: ENDLIST, and the whole recording decodes.
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                for (String r : new String[] {"720p", "480p", "360p"}) {
                    // each rendition ends on its own thread
                    while (System.nanoTime() < deadline
                            && !new String(w.store.get(ObjectKeys.liveFile(streamId, r, "index.m3u8")).readAllBytes()).contains("ENDLIST")) {
                        Thread.sleep(200);
                    }
                }
                for (String r : renditions) {
                    Path local = StoredRendition.download(w.store, ObjectKeys.livePrefix(streamId) + r + "/", w.dir.resolve(streamId).resolve(r));
                    assertThat(StoredRendition.decodedSeconds(w.ffmpeg, local.resolve("vod.m3u8"))).as(r).isBetween(5.5, 6.3);
                }
                // Its video exists (the API wrote its access record): the recording is made.
                awaitObject(w.store, ObjectKeys.vodMaster(streamId), Duration.ofSeconds(30));
                List<HlsUpdate> announced = announcements(w.kafka, w.topics, streamId);
                List<HlsUpdate> parts = announced.stream().filter(u -> u.kind() == HlsUpdate.Kind.PART).toList();
                boolean partLines = announced.stream().anyMatch(u -> u.kind() == HlsUpdate.Kind.PLAYLIST && u.bytes() != null
                        && new String(u.bytes()).contains("#EXT-X-PART:"));
                if (latency == LatencyMode.LOW) {
                    // 6 s in 10-frame parts on each of three renditions, each part's bytes in its announcement
                    assertThat(parts).hasSizeGreaterThanOrEqualTo(3 * 17).allMatch(u -> u.bytes() != null && u.part() != null);
                    assertThat(partLines).isTrue();
                } else {
                    assertThat(parts).isEmpty();
                    assertThat(partLines).isFalse();
                }
            }
        }
    }

    /**
     * Two streams at once: one whose video the API deletes while it is live (its record becomes a
     * tombstone), one whose video the API has not made yet (no record: it is down or behind).
     */
    @Test
    void onlyATombstoneAbandonsARecordingAMissingRecordDoesNot() throws Exception {
        try (LiveTestWorld w = LiveTestWorld.open("live-deleted", 1)) {
            w.start(Map.of(), new Metrics("test"));
            try (EventPublisher ingest = w.ingest()) {
                Thread.sleep(3000); // let the member join before media flows: it starts at the latest offset
                Path flv = w.dir.resolve("source.flv");
                w.ffmpeg.command("source").args("-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=4",
                        "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-f", "flv", flv.toString()).run();
                String deleted = Ids.newId();
                ApiVideos.created(w.store, deleted);
                String unknown = Ids.newId();
                long start = System.currentTimeMillis();
                for (FlvFile.Tag t : FlvFile.read(flv).tags()) {
                    for (String streamId : List.of(deleted, unknown)) {
                        ingest.publishBytes(Topic.MEDIA_LIVE, streamId, MediaTagCodec.encode(LiveTestMedia.toTag(streamId, t, start,
                                LatencyMode.NORMAL)), null);
                    }
                }
                awaitObject(w.store, ObjectKeys.liveMaster(deleted), Duration.ofSeconds(30));

                // The API deletes the recording's video while the stream is live: the record becomes a tombstone first.
                ApiVideos.deleted(w.store, deleted);
                await().atMost(Duration.ofSeconds(60)).until(() -> w.store.list(ObjectKeys.livePrefix(deleted)).isEmpty());
                assertThat(w.store.list(ObjectKeys.vodPrefix(deleted))).as("no recording made").isEmpty();

                // Not known yet is not deleted: the broadcast is kept as a recording, for the API to find once it catches up.
                awaitObject(w.store, ObjectKeys.vodMaster(unknown), Duration.ofSeconds(60));
                assertThat(w.store.list(ObjectKeys.livePrefix(unknown))).isNotEmpty();
            }
        }
    }

    /** Everything announced on hls.updates for one stream so far. */
    private static List<HlsUpdate> announcements(KafkaSettings kafka, Topics topics, String streamId) {
        Properties props = kafka.consumer("test-announcements-" + Ids.newId());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.name(Topic.HLS_UPDATES)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<HlsUpdate> out = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (streamId.equals(r.key())) {
                        out.add(EventCodec.decode(r.value(), HlsUpdate.class));
                    }
                }
            }
            return out;
        }
    }

    @Test
    void aWorkerThatStopsMidStreamIsReplacedAndThePlaylistContinues() throws Exception {
        try (LiveTestWorld w = LiveTestWorld.open("live-takeover", 1)) {
            Metrics metricsA = new Metrics("a");
            Metrics metricsB = new Metrics("b");
            LiveTranscoderService a = w.start(Map.of(), metricsA, w.dir.resolve("a"));
            LiveTranscoderService b = w.start(Map.of(), metricsB, w.dir.resolve("b"));
            try (EventPublisher ingest = w.ingest()) {
                Thread.sleep(4000); // both members in the group
                Path flv = w.dir.resolve("source.flv");
                w.ffmpeg.command("source").args("-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=16",
                        "-f", "lavfi", "-i", "sine=duration=16", "-c:v", "libx264", "-preset", "ultrafast", "-g", "30",
                        "-c:a", "aac", "-shortest", "-f", "flv", flv.toString()).run();
                String streamId = Ids.newId();
                ApiVideos.created(w.store, streamId);
                String playlistKey = ObjectKeys.liveFile(streamId, "360p", "index.m3u8");
                long start = System.currentTimeMillis();
                boolean stopped = false;
                java.util.List<FlvFile.Tag> tags = LiveTestMedia.withConfigBeforeKeyframes(FlvFile.read(flv).tags());
                for (FlvFile.Tag t : tags) {
                    long wait = start + t.timestamp() - System.currentTimeMillis();
                    if (wait > 0) {
                        Thread.sleep(wait); // as fast as a live publisher, no faster
                    }
                    if (!stopped && t.timestamp() > 7000) {
                        // The member holding the stream goes away mid-stream.
                        LiveTranscoderService holder = streams(metricsA) > 0 ? a : b;
                        holder.close();
                        stopped = true;
                    }
                    ingest.publishBytes(Topic.MEDIA_LIVE, streamId, MediaTagCodec.encode(LiveTestMedia.toTag(streamId, t, start, LatencyMode.LOW)), null);
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                String playlist = "";
                while (System.nanoTime() < deadline && !playlist.contains("ENDLIST")) {
                    Thread.sleep(200);
                    playlist = w.store.head(playlistKey).isPresent() ? new String(w.store.get(playlistKey).readAllBytes()) : "";
                }
                assertThat(playlist).contains("#EXT-X-DISCONTINUITY", "#EXT-X-ENDLIST");
                // Numbering went on where the first worker stopped: no segment was written twice.
                java.util.List<Long> sequences = java.util.regex.Pattern.compile("seg-(\\d+)\\.m4s").matcher(playlist).results()
                        .map(m -> Long.parseLong(m.group(1))).toList();
                for (int i = 1; i < sequences.size(); i++) {
                    assertThat(sequences.get(i)).isEqualTo(sequences.get(i - 1) + 1);
                }
                assertThat(sequences.get(sequences.size() - 1)).isGreaterThanOrEqualTo(5);
                // The successor's dates go on from the wall clock of the media it resumed at, not from the stream's start.
                String vod = new String(w.store.get(ObjectKeys.liveFile(streamId, "360p", "vod.m3u8")).readAllBytes());
                String[] around = vod.split("#EXT-X-DISCONTINUITY\n");
                assertThat(around).hasSize(2);
                // Only media stored in segments was committed: the successor redid the rest, so none of the 16 s is missing.
                double recorded = java.util.regex.Pattern.compile("#EXTINF:([0-9.]+),").matcher(vod).results()
                        .mapToDouble(m -> Double.parseDouble(m.group(1))).sum();
                System.out.printf("takeover: 16 s published, %.2f s recorded%n", recorded);
                assertThat(recorded).as(vod).isBetween(15.9, 19.0);
                java.util.List<String> datesBefore = LiveTestMedia.dates(around[0]);
                java.util.List<String> datesAfter = LiveTestMedia.dates(around[1]);
                assertThat(java.time.Instant.parse(datesAfter.get(0))).as(vod)
                        .isAfter(java.time.Instant.parse(datesBefore.get(datesBefore.size() - 1)));
            }
        }
    }

    /**
     * The worker holding a stream stops after the last media and before it finished the stream (a
     * crash in the seconds before its idle end): nothing of it is ended or recorded. The recording
     * is then made from storage alone, as a recording job does: every rendition ended, the whole
     * stream in it, the history pieces included.
     */
    @Test
    void aStreamWhoseWorkerStoppedBeforeFinishingItIsRecordedFromStorage() throws Exception {
        try (LiveTestWorld w = LiveTestWorld.open("live-unfinished", 1)) {
            LiveTranscoderService worker = w.start(Map.of(), new Metrics("test"));
            String streamId = Ids.newId();
            try (EventPublisher ingest = w.ingest()) {
                Thread.sleep(3000); // the member joins before media flows
                Path flv = w.dir.resolve("source.flv");
                w.ffmpeg.command("source").args("-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=14",
                        "-f", "lavfi", "-i", "sine=duration=14", "-c:v", "libx264", "-preset", "ultrafast", "-g", "30",
                        "-c:a", "aac", "-shortest", "-f", "flv", flv.toString()).run();
                ApiVideos.created(w.store, streamId);
                long start = System.currentTimeMillis();
                for (FlvFile.Tag t : LiveTestMedia.withConfigBeforeKeyframes(FlvFile.read(flv).tags())) {
                    long wait = start + t.timestamp() - System.currentTimeMillis();
                    if (wait > 0) {
                        Thread.sleep(wait);
                    }
                    ingest.publishBytes(Topic.MEDIA_LIVE, streamId, MediaTagCodec.encode(LiveTestMedia.toTag(streamId, t, start, LatencyMode.NORMAL)), null);
                }
                Thread.sleep(2000); // the last segments stored; the idle end (5 s) not reached
            } finally {
                worker.close(); // before it finishes the stream
            }
            String stopped = new String(w.store.get(ObjectKeys.liveFile(streamId, "360p", "index.m3u8")).readAllBytes());
            assertThat(stopped).as("the stopped worker ended nothing").doesNotContain("#EXT-X-ENDLIST");
            assertThat(w.store.head(ObjectKeys.vodMaster(streamId))).isEmpty();

            List<HlsUpdate> announced = new java.util.concurrent.CopyOnWriteArrayList<>();
            assertThatThrownBy(() -> LiveRecording.make(w.store, streamId, announced::add))
                    .as("written seconds ago: a live worker may still be on it").isInstanceOf(LiveRecording.StillWrittenException.class);
            VideoEvent ready = LiveRecording.make(w.store, streamId, announced::add, Duration.ZERO).orElseThrow();

            assertThat(ready.type()).isEqualTo(VideoEvent.Type.READY);
            assertThat(ready.durationSeconds()).as("the whole stream, its first segments from the history pieces")
                    .isBetween(11.0, 14.5);
            assertThat(ready.renditions()).extracting(RenditionInfo::name).containsExactly("360p");
            assertThat(new String(w.store.get(ObjectKeys.liveFile(streamId, "360p", "index.m3u8")).readAllBytes()))
                    .contains("#EXT-X-ENDLIST");
            assertThat(announced).as("origins are told the playlist ended").isNotEmpty();
            Path local = StoredRendition.download(w.store, ObjectKeys.vodPrefix(streamId) + "360p/", w.dir.resolve("vod"));
            assertThat(StoredRendition.decodedSeconds(w.ffmpeg, local.resolve("index.m3u8"))).isBetween(11.0, 14.5);
        }
    }

    /**
     * Two streams on one worker; one's ffmpeg dies mid-stream (SIGKILL). The other goes on
     * untouched; the dead one comes back from its next keyframe after a discontinuity, and both
     * end as recordings.
     */
    @Test
    void oneStreamsFfmpegDyingIsThatStreamsAloneAndItComesBack() throws Exception {
        try (LiveTestWorld w = LiveTestWorld.open("live-crash", 1)) {
            Metrics metrics = new Metrics("test");
            w.start(Map.of(), metrics);
            try (EventPublisher ingest = w.ingest()) {
                Thread.sleep(3000); // let the member join before media flows: it starts at the latest offset
                Path flv = w.dir.resolve("source.flv");
                w.ffmpeg.command("source").args("-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=14",
                        "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-f", "flv", flv.toString()).run();
                String crashing = Ids.newId();
                String steady = Ids.newId();
                ApiVideos.created(w.store, crashing);
                ApiVideos.created(w.store, steady);
                List<FlvFile.Tag> tags = LiveTestMedia.withConfigBeforeKeyframes(FlvFile.read(flv).tags());
                long start = System.currentTimeMillis();
                Long killed = null;
                for (FlvFile.Tag t : tags) {
                    long wait = start + t.timestamp() - System.currentTimeMillis();
                    if (wait > 0) {
                        Thread.sleep(wait); // as fast as a live publisher, no faster
                    }
                    if (killed == null && t.timestamp() > 7000) {
                        killed = liveLadders().get(0).pid(); // the crashing stream's: it was published first
                        ProcessHandle.of(killed).ifPresent(ProcessHandle::destroyForcibly);
                    }
                    for (String streamId : List.of(crashing, steady)) {
                        ingest.publishBytes(Topic.MEDIA_LIVE, streamId, MediaTagCodec.encode(LiveTestMedia.toTag(streamId, t, start,
                                LatencyMode.NORMAL)), null);
                    }
                }
                String crashed = LiveTestMedia.awaitEnded(w.store, ObjectKeys.liveFile(crashing, "360p", "index.m3u8"));
                String untouched = LiveTestMedia.awaitEnded(w.store, ObjectKeys.liveFile(steady, "360p", "index.m3u8"));
                assertThat(untouched).as("the other stream").doesNotContain("#EXT-X-DISCONTINUITY");
                assertThat(crashed).as("the stream whose ffmpeg died").contains("#EXT-X-DISCONTINUITY");
                assertThat(crashed.substring(crashed.indexOf("#EXT-X-DISCONTINUITY"))).as("segments after it came back")
                        .containsPattern("seg-\\d+\\.m4s[\\s\\S]*seg-\\d+\\.m4s");
                assertThat(metrics.registry().counter("castpipe.live.stream.failures").count()).isEqualTo(1);

                awaitObject(w.store, ObjectKeys.vodMaster(steady), Duration.ofSeconds(30));
                awaitObject(w.store, ObjectKeys.vodMaster(crashing), Duration.ofSeconds(30));
                Path local = StoredRendition.download(w.store, ObjectKeys.livePrefix(steady) + "360p/", w.dir.resolve(steady));
                assertThat(StoredRendition.decodedSeconds(w.ffmpeg, local.resolve("vod.m3u8"))).as("the other stream, whole")
                        .isBetween(13.5, 14.3);
            }
        }
    }

    /**
     * A ladder this machine cannot encode in real time (x264 veryslow, 720p in three rungs) falls
     * behind; a ladder on the fastest preset takes it over at a segment boundary while the slow one
     * goes on publishing, and comes back to the live edge: the playlist's dates run on across the
     * change, and the recording has every second once.
     */
    @Test
    void aLadderThatFallsBehindIsShedOnTheFastestPresetAndCatchesUp() throws Exception {
        try (LiveTestWorld w = LiveTestWorld.open("live-shed", 1)) {
            Metrics metrics = new Metrics("test");
            // A budget larger than the machine: the CPU budget would start veryslow on ultrafast at once.
            w.start(Map.of("CASTPIPE_LIVE_X264_PRESET", "veryslow", "CASTPIPE_LIVE_SHED", "true", "CASTPIPE_LIVE_CPU_BUDGET", "64"),
                    metrics);
            try (EventPublisher ingest = w.ingest()) {
                Thread.sleep(3000); // let the member join before media flows: it starts at the latest offset
                Path flv = w.dir.resolve("source.flv");
                w.ffmpeg.command("source").args("-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=30",
                        "-f", "lavfi", "-i", "sine=duration=30", "-c:v", "libx264", "-preset", "ultrafast", "-g", "30",
                        "-c:a", "aac", "-shortest", "-f", "flv", flv.toString()).run();
                String streamId = Ids.newId();
                ApiVideos.created(w.store, streamId);
                String playlistKey = ObjectKeys.liveFile(streamId, "720p", "index.m3u8");
                long start = System.currentTimeMillis();
                double lagAtEnd = Double.NaN;
                double coresAtEnd = Double.NaN;
                for (FlvFile.Tag t : LiveTestMedia.withConfigBeforeKeyframes(FlvFile.read(flv).tags())) {
                    long wait = start + t.timestamp() - System.currentTimeMillis();
                    if (wait > 0) {
                        Thread.sleep(wait); // as fast as a live publisher, no faster
                    }
                    if (Double.isNaN(lagAtEnd) && t.timestamp() > 28_000 && w.store.head(playlistKey).isPresent()) {
                        List<String> dates = LiveTestMedia.dates(new String(w.store.get(playlistKey).readAllBytes()));
                        lagAtEnd = (System.currentTimeMillis() - java.time.Instant.parse(dates.get(dates.size() - 1)).toEpochMilli()) / 1000.0;
                        coresAtEnd = metrics.registry().get("castpipe.live.cpu.cores").gauge().value();
                    }
                    ingest.publishBytes(Topic.MEDIA_LIVE, streamId, MediaTagCodec.encode(LiveTestMedia.toTag(streamId, t, start, LatencyMode.LOW)), null);
                }
                double shed = metrics.registry().find("castpipe.live.ladder.steps").tag("step", "shed").counters().stream()
                        .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
                double seamless = metrics.registry().counter("castpipe.live.ladder.handovers", "outcome", "seamless").count();
                double forced = metrics.registry().counter("castpipe.live.ladder.handovers", "outcome", "forced").count();
                System.out.printf("shedding: x264 veryslow fell behind and was shed %.0f time(s), %.0f taken over seamlessly, "
                        + "%.0f by stopping the starved one; at 28 s of 30 the newest 720p segment began %.1f s before now, "
                        + "its ffmpeg using %.2f cores%n", shed, seamless, forced, lagAtEnd, coresAtEnd);
                assertThat(shed).as("shed onto the fastest preset").isGreaterThanOrEqualTo(1);
                // Seamless when the slow one reaches a boundary soon; on a starved machine it is stopped for the fast one.
                assertThat(seamless + forced).as("the fast ladder took over without a restart").isEqualTo(shed);
                // A 1 s segment, the part being written and a busy machine's second; veryslow would be tens of seconds behind.
                assertThat(lagAtEnd).as("the newest segment's start, seconds before now").isLessThan(4);
                // Measured from ffmpeg's CPU time: a 720p ladder in three rungs keeping up takes a good part of a core.
                assertThat(coresAtEnd).as("the CPU the stream's ffmpeg uses, in cores").isGreaterThan(0.2);

                LiveTestMedia.awaitEnded(w.store, playlistKey);
                Path local = StoredRendition.download(w.store, ObjectKeys.livePrefix(streamId) + "720p/", w.dir.resolve(streamId));
                String vod = Files.readString(local.resolve("vod.m3u8"));
                assertThat(vod).as("the new ladder's segments follow a discontinuity").contains("#EXT-X-DISCONTINUITY");
                double step = LiveTestMedia.largestDateStepAtDiscontinuities(vod);
                double recorded = StoredRendition.decodedSecondsAcrossDiscontinuities(w.ffmpeg, local.resolve("vod.m3u8"));
                System.out.printf("shedding: 30 s published, %.1f s of 720p recording decoded; dates off by %.3f s at "
                        + "the change%n", recorded, step);
                // Stopped, the slow one's open segment ends short: the gap to the fast one's next keyframe is under 1 s.
                assertThat(step).as("seconds missing or shown twice where the new ladder took over")
                        .isLessThan(forced > 0 ? 1.0 : 0.05);
                assertThat(recorded).as("the recording, every second once").isBetween(forced > 0 ? 29.0 : 29.5, 30.6);
            }
        }
    }

    /**
     * A process whose live CPU budget has no room for an encoded ladder starts the stream on the
     * source passed through, says why, and runs no encoder for it; the stream plays all the same.
     */
    @Test
    void aStreamBeyondTheCpuBudgetStartsWithTheSourcePassedThrough() throws Exception {
        try (LiveTestWorld w = LiveTestWorld.open("live-budget", 1)) {
            Metrics metrics = new Metrics("test");
            // A tenth of a core: not even the lowest rung of a 720p ladder fits.
            w.start(Map.of("CASTPIPE_LIVE_CPU_BUDGET", "0.1"), metrics);
            try (EventPublisher ingest = w.ingest()) {
                Thread.sleep(3000); // let the member join before media flows: it starts at the latest offset
                Path flv = w.dir.resolve("source.flv");
                w.ffmpeg.command("source").args("-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=6",
                        "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-f", "flv", flv.toString()).run();
                String streamId = Ids.newId();
                ApiVideos.created(w.store, streamId);
                long start = System.currentTimeMillis();
                List<String> ladderArgs = List.of();
                for (FlvFile.Tag t : FlvFile.read(flv).tags()) {
                    long wait = start + t.timestamp() - System.currentTimeMillis();
                    if (wait > 0) {
                        Thread.sleep(wait);
                    }
                    if (ladderArgs.isEmpty() && !liveLadders().isEmpty()) {
                        ladderArgs = liveLadders().get(0).info().arguments().map(List::of).orElse(List.of());
                    }
                    ingest.publishBytes(Topic.MEDIA_LIVE, streamId, MediaTagCodec.encode(LiveTestMedia.toTag(streamId, t, start, LatencyMode.LOW)), null);
                }
                assertThat(ladderArgs).as("the ladder's ffmpeg, seen while it ran").isNotEmpty().doesNotContain("libx264");
                assertThat(metrics.registry().counter("castpipe.live.ladder.steps", "step", "budget", "to", "passthrough").count())
                        .isEqualTo(1);
                String playlistKey = ObjectKeys.liveFile(streamId, "360p", "index.m3u8");
                LiveTestMedia.awaitEnded(w.store, playlistKey);
                Path local = StoredRendition.download(w.store, ObjectKeys.livePrefix(streamId) + "360p/", w.dir.resolve(streamId));
                assertThat(StoredRendition.decodedSeconds(w.ffmpeg, local.resolve("vod.m3u8"))).as("the source in the 360p rendition")
                        .isBetween(5.5, 6.3);
            }
        }
    }

    /** This JVM's live ladder ffmpeg processes, oldest (lowest pid) first. */
    private static List<ProcessHandle> liveLadders() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().arguments().map(a -> java.util.Arrays.asList(a).contains("pipe:0")).orElse(false))
                .sorted(java.util.Comparator.comparingLong(ProcessHandle::pid))
                .toList();
    }

    private static double streams(Metrics metrics) {
        return metrics.registry().get("castpipe.live.streams").gauge().value();
    }

    private static String awaitObject(S3ObjectStore store, String key, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (store.head(key).isPresent()) {
                return new String(store.get(key).readAllBytes());
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + key + " within " + limit);
    }
}
