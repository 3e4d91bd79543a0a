package io.castpipe.app;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.castpipe.common.TestServices;
import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.VideoEvent;
import io.castpipe.common.events.VodJob;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.S3ObjectStore;
import io.castpipe.common.storage.S3Settings;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two transcoder processes share the VOD job queue. The one that takes a job is killed with
 * SIGKILL halfway through; the other finishes it, and the video becomes ready exactly once,
 * with no ffmpeg of the dead worker left running.
 */
class VodWorkerFailoverIT {

    @Test
    void aKilledWorkersJobIsFinishedOnceByTheOther() throws Exception {
        Path data = TestServices.tempDir("failover");
        Map<String, String> env = CastpipeProcess.freshNode(data);
        env.put("CASTPIPE_VOD_WORKERS", "0");
        try (CastpipeProcess node = CastpipeProcess.start(env)) {
            node.awaitHealthy(Duration.ofSeconds(30));
            Map<String, String> join = CastpipeProcess.joinValues(node.stdoutText());

            List<CastpipeProcess> workers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Map<String, String> w = new HashMap<>(join);
                w.put("CASTPIPE_HTTP_PORT", String.valueOf(CastpipeProcess.freePort()));
                w.put("CASTPIPE_DATA_DIR", data.resolve("worker-" + i).toString());
                workers.add(CastpipeProcess.start(w, "transcoder"));
            }
            for (CastpipeProcess w : workers) {
                w.awaitHealthy(Duration.ofSeconds(30));
            }

            String id = Ids.newId();
            KafkaSettings kafka = new KafkaSettings(join.get("CASTPIPE_KAFKA_BOOTSTRAP"), "failover-test", Duration.ofSeconds(15));
            Topics topics = new Topics("");
            try (S3ObjectStore store = new S3ObjectStore(new S3Settings(URI.create(join.get("CASTPIPE_S3_ENDPOINT")),
                         "us-east-1", "castpipe", "castpipe", join.get("CASTPIPE_S3_SECRET_KEY"), true, 8 << 20));
                 EventPublisher publisher = new EventPublisher(kafka, topics, "failover-test");
                 KafkaConsumer<String, byte[]> events = new KafkaConsumer<>(kafka.consumer("failover-test-" + id))) {
                store.put(ObjectKeys.uploadSource(id), makeClip(data), "video/mp4");
                events.subscribe(List.of(topics.name(Topic.VIDEO_EVENTS)));
                publisher.publishDurably(Topic.VOD_JOBS, id, new VodJob(id, ObjectKeys.uploadSource(id), Instant.now(), Ids.newId()));

                CastpipeProcess taker = awaitTaker(workers, id, Duration.ofSeconds(60));
                Thread.sleep(3000); // well into the ladder
                long takerPid = taker.process.pid();
                List<ProcessHandle> takerChildren = taker.process.descendants().toList();
                assertThat(takerChildren).as("the taker runs ffmpeg").isNotEmpty();
                taker.process.destroyForcibly();
                taker.process.waitFor();
                System.out.println("killed worker " + takerPid + " mid-job");

                List<VideoEvent> seen = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
                while (System.nanoTime() < deadline && seen.stream().noneMatch(e -> e.type() == VideoEvent.Type.READY)) {
                    events.poll(Duration.ofMillis(500)).forEach(r -> {
                        if (r.key().equals(id)) {
                            seen.add(EventCodec.decode(r.value(), VideoEvent.class));
                        }
                    });
                }
                // Keep listening a little: a second READY would show up now.
                long settle = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (System.nanoTime() < settle) {
                    events.poll(Duration.ofMillis(500)).forEach(r -> {
                        if (r.key().equals(id)) {
                            seen.add(EventCodec.decode(r.value(), VideoEvent.class));
                        }
                    });
                }
                assertThat(seen.stream().filter(e -> e.type() == VideoEvent.Type.READY)).hasSize(1);
                assertThat(seen).noneMatch(e -> e.type() == VideoEvent.Type.FAILED);
                assertThat(store.head(ObjectKeys.vodMaster(id))).isPresent();
                assertThat(takerChildren).noneMatch(ProcessHandle::isAlive);
            } finally {
                workers.forEach(CastpipeProcess::close);
            }
            node.terminate(Duration.ofSeconds(10));
        }
    }

    /** A 40 s 720p clip: long enough that the ladder is still running when its worker dies. */
    private static byte[] makeClip(Path dir) throws Exception {
        Path clip = dir.resolve("clip.mp4");
        try (Ffmpeg ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir.resolve("test-bin")), Duration.ofMinutes(2))) {
            ffmpeg.command("clip").args("-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=40",
                    "-f", "lavfi", "-i", "sine=duration=40", "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip.toString()).run();
        }
        return Files.readAllBytes(clip);
    }

    private static CastpipeProcess awaitTaker(List<CastpipeProcess> workers, String id, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            for (CastpipeProcess w : workers) {
                if (w.stdoutText().contains("video " + id + ": ")) {
                    return w;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no worker took the job");
    }
}
