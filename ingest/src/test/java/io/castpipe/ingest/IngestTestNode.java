package io.castpipe.ingest;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.castpipe.common.TestServices;
import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.db.Database;
import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.MediaTag;
import io.castpipe.common.events.MediaTagCodec;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegCommand;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.metrics.Metrics;
import io.castpipe.common.node.NodeContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;


/** The real parts an ingest test needs: the embedded broker, H2 with channels, ffmpeg, the service. */
final class IngestTestNode implements AutoCloseable {
    /** What {@link #publish} asks ffmpeg for. */
    static final int VIDEO_KBPS = 800;
    static final int AUDIO_KBPS = 96;
    final Path dir;
    final KafkaSettings kafka;
    final Topics topics;
    final Database db;
    final Ffmpeg ffmpeg;
    final Metrics metrics;
    final IngestService service;
    final int port;
    /** The orders on stream.control before the node started: none of its business. */
    private final long controlOrdersBefore;

    IngestTestNode(String prefix) throws Exception {
        this(prefix, Map.of());
    }

    /** With {@code settings} (CASTPIPE_… names) on top of the port and bind address. */
    IngestTestNode(String prefix, Map<String, String> settings) throws Exception {
        dir = TestServices.tempDir("ingest");
        kafka = new KafkaSettings(TestServices.kafka().bootstrapServers(), "ingest-test", Duration.ofSeconds(15));
        topics = new Topics(prefix);
        topics.ensureCreated(kafka, 2, (short) 1);
        db = Database.open("jdbc:h2:file:" + dir.resolve("db") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH",
                "castpipe", "secret", 4);
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO users (id, name, created_at) VALUES (?, ?, ?)")) {
            ps.setString(1, "u1");
            ps.setString(2, "streamer");
            ps.setObject(3, OffsetDateTime.now());
            ps.executeUpdate();
        }
        ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofMinutes(2));
        metrics = new Metrics("test");
        port = TestServices.freePort();
        Map<String, String> env = new HashMap<>(settings);
        env.put("CASTPIPE_RTMP_PORT", String.valueOf(port));
        env.put("CASTPIPE_BIND_ADDRESS", "127.0.0.1");
        CastpipeConfig config = CastpipeConfig.from(env);
        service = new IngestService(new NodeContext(config, dir, kafka, topics, null, db, ffmpeg, null, metrics, null, null));
        service.start();
        controlOrdersBefore = records(Topic.STREAM_CONTROL);
    }

    /** A channel with a new stream key; returns {id, key}. */
    String[] channel(String name) throws Exception {
        String id = "c" + name;
        String key = "live_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO channels (id, name, owner_id, title, stream_key, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, name);
            ps.setString(3, "u1");
            ps.setString(4, name + "'s stream");
            ps.setString(5, key);
            ps.setObject(6, OffsetDateTime.now());
            ps.executeUpdate();
        }
        return new String[] {id, key};
    }

    /** 640x360 at 30 fps, a keyframe every {@code gop} frames, and AAC, for {@code seconds} in real time. */
    FfmpegCommand publish(String key, int seconds, int port, int gop) {
        return ffmpeg.command("publish").args("-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine",
                "-t", String.valueOf(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-g", String.valueOf(gop), "-b:v", VIDEO_KBPS + "k", "-maxrate", VIDEO_KBPS + "k", "-bufsize", VIDEO_KBPS + "k",
                "-c:a", "aac", "-b:a", AUDIO_KBPS + "k", "-f", "flv", "rtmp://127.0.0.1:" + port + "/live/" + key);
    }

    FfmpegCommand publish(String key, int seconds, int port) {
        return publish(key, seconds, port, 30);
    }

    FfmpegCommand publish(String key, int seconds) {
        return publish(key, seconds, port);
    }

    /** What a channel's streams put on Kafka: STARTED and ENDED events, STATS events, ALIVE events, media. */
    record Seen(List<StreamEvent> events, List<StreamEvent> stats, List<StreamEvent> alive,
                Map<String, List<MediaTag>> mediaByStream) {
        List<MediaTag> media(String streamId) {
            return mediaByStream.getOrDefault(streamId, List.of());
        }
    }

    /** Reads both topics from the start until {@code until} ENDED events of the channel are there. */
    Seen await(String channelId, int until, Duration limit) {
        List<StreamEvent> events = new ArrayList<>();
        List<StreamEvent> stats = new ArrayList<>();
        List<StreamEvent> alive = new ArrayList<>();
        Map<String, List<MediaTag>> media = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.consumer("t-" + UUID.randomUUID()))) {
            c.subscribe(List.of(topics.name(Topic.MEDIA_LIVE), topics.name(Topic.STREAM_EVENTS)));
            long deadline = System.nanoTime() + limit.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(topics.name(Topic.STREAM_EVENTS))) {
                        StreamEvent e = EventCodec.decode(r.value(), StreamEvent.class);
                        if (e.channelId().equals(channelId)) {
                            (e.type() == StreamEvent.Type.STATS ? stats : e.type() == StreamEvent.Type.ALIVE ? alive : events).add(e);
                        }
                    } else {
                        MediaTag t = MediaTagCodec.decode(r.value());
                        if (t.channelId().equals(channelId)) {
                            media.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(t);
                        }
                    }
                }
                if (events.stream().filter(e -> e.type() == StreamEvent.Type.ENDED).count() >= until) {
                    // the media of an ended stream were sent before its ENDED: read media.live to its end
                    List<TopicPartition> parts = c.assignment().stream()
                            .filter(p -> p.topic().equals(topics.name(Topic.MEDIA_LIVE))).toList();
                    Map<TopicPartition, Long> end = c.endOffsets(parts);
                    while (System.nanoTime() < deadline && parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                            if (r.topic().equals(topics.name(Topic.MEDIA_LIVE))) {
                                MediaTag t = MediaTagCodec.decode(r.value());
                                if (t.channelId().equals(channelId)) {
                                    media.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(t);
                                }
                            }
                        }
                    }
                    break;
                }
            }
        }
        return new Seen(events, stats, alive, media);
    }

    /** The id of the channel's newest stream once its STARTED is on stream.events (read from the start). */
    String awaitStarted(String channelId, Duration limit) {
        long ended = 0;
        String newest = null;
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.consumer("t-" + UUID.randomUUID()))) {
            c.subscribe(List.of(topics.name(Topic.STREAM_EVENTS)));
            long deadline = System.nanoTime() + limit.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    StreamEvent e = EventCodec.decode(r.value(), StreamEvent.class);
                    if (e.channelId() != null && e.channelId().equals(channelId)) {
                        if (e.type() == StreamEvent.Type.STARTED) {
                            newest = e.streamId();
                        } else if (e.type() == StreamEvent.Type.ENDED && e.streamId().equals(newest)) {
                            newest = null;
                        }
                    }
                }
                if (newest != null && c.assignment().stream().allMatch(p -> c.position(p) >= c.endOffsets(List.of(p)).get(p))) {
                    return newest;
                }
            }
        }
        throw new AssertionError("no stream of channel " + channelId + " started within " + limit);
    }

    /** Waits until this node has applied every order published on stream.control since it started. */
    void awaitControlsApplied(Duration limit) {
        Awaitility.await().atMost(limit).until(() -> meter("castpipe.ingest.control.orders", null, null)
                >= records(Topic.STREAM_CONTROL) - controlOrdersBefore);
    }

    /** How many records a topic holds. */
    long records(Topic topic) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.consumer("count-" + UUID.randomUUID()))) {
            List<TopicPartition> parts = c.partitionsFor(topics.name(topic)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** What all connections hold in messages still arriving, both shares of the pool. */
    long reassembly() {
        return reassembly("before_publish") + reassembly("publishing");
    }

    /** What connections hold in messages still arriving in one share of the pool. */
    long reassembly(String share) {
        return (long) meter("castpipe.ingest.reassembly.bytes", "share", share);
    }

    double meter(String name, String resultTag) {
        return meter(name, "result", resultTag);
    }

    /** A counter's count or a gauge's value; NaN when there is none (yet). */
    double meter(String name, String tag, String tagValue) {
        var search = metrics.registry().find(name);
        if (tagValue != null) {
            search = search.tag(tag, tagValue);
        }
        var counter = search.counter();
        if (counter != null) {
            return counter.count();
        }
        var gauge = search.gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing
        }
    }

    @Override
    public void close() {
        service.close();
        ffmpeg.close();
        db.close();
        metrics.close();
    }
}
