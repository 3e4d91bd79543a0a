package io.castpipe.ingest;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.castpipe.common.TestServices;
import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.ConfigException;
import io.castpipe.common.events.IngestFigures;
import io.castpipe.common.events.MediaTag;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.ffmpeg.FfmpegException;
import io.castpipe.common.ffmpeg.FfmpegJob;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.node.NodeContext;
import io.castpipe.ingest.session.RtmpSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The RTMP server against real ffmpeg publishers, the embedded broker and H2. */
class IngestServiceTest {
    private static IngestTestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = new IngestTestNode("ingesttest.");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aPublishBecomesOrderedMediaRecordsBetweenStartedAndEnded() throws Exception {
        String[] ch = node.channel("alice");
        node.publish(ch[1], 4).run();

        IngestTestNode.Seen seen = node.await(ch[0], 1, Duration.ofSeconds(20));
        assertThat(seen.events()).extracting(StreamEvent::type).containsExactly(StreamEvent.Type.STARTED, StreamEvent.Type.ENDED);
        String streamId = seen.events().get(0).streamId();
        assertThat(seen.events().get(1).streamId()).isEqualTo(streamId);
        assertThat(seen.events().get(0).videoCodec()).isEqualTo("h264");
        assertThat(seen.events().get(0).audioCodec()).isEqualTo("aac");
        assertThat(seen.events().get(0).metadata()).containsEntry("width", 640.0).containsEntry("height", 360.0);
        assertThat(seen.mediaByStream().keySet()).containsExactly(streamId);

        List<MediaTag> media = seen.media(streamId);
        List<MediaTag> video = media.stream().filter(t -> t.kind() == MediaTag.Kind.VIDEO).toList();
        List<MediaTag> audio = media.stream().filter(t -> t.kind() == MediaTag.Kind.AUDIO).toList();
        List<MediaTag> script = media.stream().filter(t -> t.kind() == MediaTag.Kind.SCRIPT).toList();
        System.out.printf("media.live: %d records (%d video, %d audio, %d script); last video ts %d ms, last audio ts %d ms%n",
                media.size(), video.size(), audio.size(), script.size(),
                video.get(video.size() - 1).timestamp(), audio.get(audio.size() - 1).timestamp());

        assertThat(media.get(0).kind()).isEqualTo(MediaTag.Kind.SCRIPT); // onMetaData comes first
        assertThat(video.get(0).sequenceHeader()).isTrue();
        assertThat(video.get(0).payload()[0] & 0xff).isEqualTo(0x17); // keyframe, AVC
        assertThat(audio.get(0).sequenceHeader()).isTrue();
        // The configuration comes again, unchanged, right before every keyframe, for a transcoder
        // that takes the stream over mid-way.
        for (int i = 1; i < video.size(); i++) {
            MediaTag t = video.get(i);
            if (t.sequenceHeader()) {
                assertThat(t.payload()).isEqualTo(video.get(0).payload());
                assertThat(video.get(i + 1).keyframe()).isTrue();
                assertThat(video.get(i + 1).sequenceHeader()).isFalse();
            }
        }
        List<MediaTag> frames = video.stream().filter(t -> !t.sequenceHeader()).toList();
        List<MediaTag> audioFrames = audio.stream().filter(t -> !t.sequenceHeader()).toList();
        // 4 s at 30 fps, a keyframe every 30 frames
        assertThat(frames.size()).isBetween(115, 125);
        assertThat(frames.stream().filter(MediaTag::keyframe).count()).isBetween(4L, 5L);
        assertThat(video.stream().filter(MediaTag::sequenceHeader).count()).isEqualTo(frames.stream().filter(MediaTag::keyframe).count());
        assertThat(frames.get(0).keyframe()).isTrue();
        assertThat(audioFrames.size()).isBetween(165, 180); // 44.1 kHz AAC, 1024 samples a frame: 172 in 4 s
        assertThat(video).extracting(MediaTag::timestamp).isSorted();
        assertThat(audio).extracting(MediaTag::timestamp).isSorted();
        assertThat(video.get(video.size() - 1).timestamp()).isBetween(3800L, 4100L);
        assertThat(audio.get(audio.size() - 1).timestamp()).isBetween(3800L, 4100L);
        // -re: the records arrived over about 4 s of wall-clock time
        long span = media.get(media.size() - 1).ingestedAt() - media.get(0).ingestedAt();
        assertThat(span).isBetween(3000L, 6000L);
        assertThat(node.meter("castpipe.ingest.publishes", "accepted")).isGreaterThanOrEqualTo(1);
        assertThat(node.meter("castpipe.ingest.bytes.in", null)).isGreaterThan(50_000);
        assertThat(node.metrics.scrape()).contains("castpipe_ingest_connections ", "castpipe_ingest_live_streams ",
                "castpipe_ingest_publishes_total{", "result=\"accepted\"", "castpipe_ingest_bytes_in_total ");

        // A stream shorter than the reporting period still gets its figures, right before ENDED.
        assertThat(seen.stats()).isNotEmpty();
        IngestFigures last = seen.stats().get(seen.stats().size() - 1).ingest();
        System.out.println("ingest figures of 640x360 30 fps -g 30 -b:v " + IngestTestNode.VIDEO_KBPS + "k -b:a "
                + IngestTestNode.AUDIO_KBPS + "k: " + last);
        assertThat(last.fps()).isCloseTo(30.0, within(3.0));
        assertThat(last.keyframeIntervalSeconds()).isCloseTo(1.0, within(0.05));
        assertThat(last.maxKeyframeIntervalSeconds()).isCloseTo(1.0, within(0.05));
        assertThat(last.width()).isEqualTo(640);
        assertThat(last.height()).isEqualTo(360);
        assertThat(last.videoBitrateKbps()).isBetween(IngestTestNode.VIDEO_KBPS * 6 / 10, IngestTestNode.VIDEO_KBPS * 14 / 10);
        assertThat(last.audioBitrateKbps()).isBetween(IngestTestNode.AUDIO_KBPS * 7 / 10, IngestTestNode.AUDIO_KBPS * 13 / 10);
    }

    @Test
    void whileLiveTheMeasuredFiguresGoOutEveryFewSeconds() throws Exception {
        String[] ch = node.channel("dave");
        long started = System.nanoTime();
        node.publish(ch[1], 12, node.port, 150).run(); // a keyframe every 5 s
        double seconds = (System.nanoTime() - started) / 1e9;

        IngestTestNode.Seen seen = node.await(ch[0], 1, Duration.ofSeconds(20));
        String streamId = seen.events().get(0).streamId();
        List<StreamEvent> stats = seen.stats();
        stats.forEach(e -> System.out.println("STATS " + e.at() + " " + e.ingest()));
        assertThat(stats).allSatisfy(e -> assertThat(e.streamId()).isEqualTo(streamId));
        // every 5 s while live, and one at the end: not one per tag
        assertThat(stats.size()).isBetween(2, (int) (seconds * 1000 / RtmpSession.FIGURES_EVERY_MILLIS) + 1);
        assertThat(stats).extracting(StreamEvent::at).isSorted();
        // the first while live, not only the one at the end
        assertThat(Duration.between(stats.get(0).at(), seen.events().get(1).at())).isGreaterThan(Duration.ofSeconds(4));

        for (StreamEvent e : stats.subList(1, stats.size())) {
            assertThat(e.ingest().keyframeIntervalSeconds()).isCloseTo(5.0, within(0.05));
            assertThat(e.ingest().maxKeyframeIntervalSeconds()).isCloseTo(5.0, within(0.05));
            assertThat(e.ingest().fps()).isCloseTo(30.0, within(3.0));
        }
        assertThat(stats.get(stats.size() - 1).ingest().windowSeconds()).isBetween(8.0, 10.0);

        // ALIVE every 2 s from start to end, by which the API ends the streams of an ingest that died.
        List<StreamEvent> alive = seen.alive();
        assertThat(alive).allSatisfy(e -> assertThat(e.streamId()).isEqualTo(streamId));
        assertThat(alive.size()).isGreaterThanOrEqualTo((int) (seconds / 2) - 1);
        for (int i = 1; i < alive.size(); i++) {
            assertThat(Duration.between(alive.get(i - 1).at(), alive.get(i).at())).isLessThan(Duration.ofSeconds(4));
        }
    }

    @Test
    void aWrongStreamKeyFailsTheEncoderAndPublishesNothing() throws Exception {
        node.channel("bob");
        long mediaBefore = node.records(Topic.MEDIA_LIVE);
        long eventsBefore = node.records(Topic.STREAM_EVENTS);
        double refusedBefore = node.meter("castpipe.ingest.publishes", "refused");

        assertThatThrownBy(() -> node.publish("live_not-a-key", 2).run())
                .isInstanceOf(FfmpegException.class);

        assertThat(node.meter("castpipe.ingest.publishes", "refused")).isEqualTo(refusedBefore + 1);
        Thread.sleep(500);
        assertThat(node.records(Topic.MEDIA_LIVE)).isEqualTo(mediaBefore);
        assertThat(node.records(Topic.STREAM_EVENTS)).isEqualTo(eventsBefore);
    }

    @Test
    void aSecondPublisherToALiveChannelIsRefusedWhileTheFirstGoesOn() throws Exception {
        String[] ch = node.channel("carol");
        FfmpegJob first = node.publish(ch[1], 5).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (node.meter("castpipe.ingest.live.streams", null) < 1 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(node.meter("castpipe.ingest.live.streams", null)).isEqualTo(1.0);

        assertThatThrownBy(() -> node.publish(ch[1], 2).run())
                .isInstanceOfSatisfying(FfmpegException.class, e ->
                        assertThat(String.join("\n", e.stderrTail())).contains("already live"));
        first.await();

        IngestTestNode.Seen seen = node.await(ch[0], 1, Duration.ofSeconds(20));
        assertThat(seen.events()).extracting(StreamEvent::type).containsExactly(StreamEvent.Type.STARTED, StreamEvent.Type.ENDED);
        String streamId = seen.events().get(0).streamId();
        assertThat(seen.mediaByStream().keySet()).containsExactly(streamId);
        List<MediaTag> video = seen.media(streamId).stream().filter(t -> t.kind() == MediaTag.Kind.VIDEO).toList();
        assertThat(video.get(video.size() - 1).timestamp()).isGreaterThan(4800L);
    }

    @Test
    void aTakenPortIsAConfigurationError() throws Exception {
        CastpipeConfig config = CastpipeConfig.from(Map.of("CASTPIPE_RTMP_PORT", String.valueOf(node.port),
                "CASTPIPE_BIND_ADDRESS", "127.0.0.1"));
        IngestService second = new IngestService(new NodeContext(config, node.dir, node.kafka, node.topics, null, node.db,
                node.ffmpeg, null, new io.castpipe.common.metrics.Metrics("second"), null, null));
        assertThatThrownBy(second::start).isInstanceOf(ConfigException.class)
                .hasMessageContaining("RTMP port " + node.port + " is already in use")
                .hasMessageContaining("CASTPIPE_RTMP_PORT");
        second.close();
    }
}
