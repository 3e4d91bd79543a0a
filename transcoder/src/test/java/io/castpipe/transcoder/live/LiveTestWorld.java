package io.castpipe.transcoder.live;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.castpipe.common.TestServices;
import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.metrics.Metrics;
import io.castpipe.common.node.NodeContext;
import io.castpipe.common.storage.S3ObjectStore;
import io.castpipe.common.storage.S3Settings;

/**
 * What a live transcoder test stands on, its own on the shared servers: a directory, a bucket,
 * topics (when it asks for partitions) and ffmpeg. Closing it closes the services it started.
 */
final class LiveTestWorld implements AutoCloseable {
    final Path dir;
    final S3ObjectStore store;
    final Ffmpeg ffmpeg;
    final KafkaSettings kafka;
    final Topics topics;
    private final List<LiveTranscoderService> services = new ArrayList<>();

    private LiveTestWorld(Path dir, S3ObjectStore store, Ffmpeg ffmpeg, KafkaSettings kafka, Topics topics) {
        this.dir = dir;
        this.store = store;
        this.ffmpeg = ffmpeg;
        this.kafka = kafka;
        this.topics = topics;
    }

    /** @param partitions of each topic; 0 for a test that needs no Kafka */
    static LiveTestWorld open(String name, int partitions) throws Exception {
        Path dir = TestServices.tempDir(name);
        S3ObjectStore store = new S3ObjectStore(new S3Settings(URI.create(TestServices.s3().endpoint()), "us-east-1", name,
                TestServices.S3_ACCESS_KEY, TestServices.S3_SECRET_KEY, true, 5 << 20));
        store.ensureBucket();
        Ffmpeg ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofMinutes(5));
        if (partitions == 0) {
            return new LiveTestWorld(dir, store, ffmpeg, null, null);
        }
        KafkaSettings kafka = new KafkaSettings(TestServices.kafka().bootstrapServers(), name, Duration.ofSeconds(15));
        Topics topics = new Topics(name.replace("-", "") + ".");
        topics.ensureCreated(kafka, partitions, (short) 1);
        return new LiveTestWorld(dir, store, ffmpeg, kafka, topics);
    }

    /** A live transcoder with these settings, started; its working directory is {@code dir}. */
    LiveTranscoderService start(Map<String, String> settings, Metrics metrics, Path workDir) {
        LiveTranscoderService service = new LiveTranscoderService(new NodeContext(CastpipeConfig.from(settings), workDir,
                kafka, topics, store, null, ffmpeg, null, metrics, null, null));
        services.add(service);
        service.start();
        return service;
    }

    LiveTranscoderService start(Map<String, String> settings, Metrics metrics) {
        return start(settings, metrics, dir);
    }

    /** What ingest would publish with. */
    EventPublisher ingest() {
        return new EventPublisher(kafka, topics, "test-ingest");
    }

    @Override
    public void close() throws Exception {
        services.forEach(LiveTranscoderService::close);
        ffmpeg.close();
        store.close();
    }
}
