package io.castpipe.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.bench.abuse.AbuseRun;
import io.castpipe.bench.abuse.Attacks;
import io.castpipe.bench.abuse.LegitViewer;
import io.castpipe.bench.abuse.NodeHeap;
import io.castpipe.bench.abuse.Tally;
import io.castpipe.common.TestServices;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegJob;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import org.junit.jupiter.api.Test;

import static io.castpipe.app.BrowserTests.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node facing hostile clients, all at once, while it serves a real publisher and a viewer:
 * RTMP connections that reassemble 8 MiB messages without ever sending {@code connect}, RTMP
 * connections that never publish and more than one address may hold, half-sent HTTP requests,
 * stalled upload bodies, a crowd of chat sockets, of blocking playlist reloads and of API reads
 * from one address each (raw sockets from other loopback addresses than the real users').
 * Each is refused or cut off as its limit says, the publisher stays live, the viewer keeps
 * getting new segments, and the node's live heap is recorded before, during and after.
 */
class SecuritySuiteIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int HEADER_TIMEOUT = 3;
    private static final int PUBLISH_TIMEOUT = 3;
    private static final int BODY_TIMEOUT = 5;
    private static final int BLOCKED_PER_ADDRESS = 100;
    private static final int HTTP_PER_ADDRESS = 256;
    private static final int SLACK_MILLIS = 6000;

    @Test
    void hostileClientsOfEveryKindAreBoundedWhileAPublisherAndAViewerGoOn() throws Exception {
        Path dir = TestServices.tempDir("security");
        Map<String, String> env = CastpipeProcess.freshNode(dir.resolve("data"));
        env.put("CASTPIPE_HTTP_HEADER_TIMEOUT_SECONDS", String.valueOf(HEADER_TIMEOUT));
        env.put("CASTPIPE_RTMP_PUBLISH_TIMEOUT_SECONDS", String.valueOf(PUBLISH_TIMEOUT));
        env.put("CASTPIPE_HTTP_BODY_TIMEOUT_SECONDS", String.valueOf(BODY_TIMEOUT));
        // Below the 256 connections one address may open, so that the share of waiting requests is met on HTTP/1.1 too.
        env.put("CASTPIPE_ORIGIN_BLOCKED_PER_ADDRESS", String.valueOf(BLOCKED_PER_ADDRESS));
        try (CastpipeProcess node = CastpipeProcess.start(env);
             Ffmpeg ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofMinutes(5))) {
            node.awaitHealthy(Duration.ofSeconds(60));
            String base = "http://127.0.0.1:" + node.httpPort;
            String user = send("POST", base + "/api/users", node.adminToken(), "{\"name\":\"streamer\"}", 201).get("token").asText();
            JsonNode channel = send("POST", base + "/api/channels", user, "{\"name\":\"under-attack\",\"latency\":\"low\"}", 201);
            FfmpegJob publisher = ffmpeg.command("publish").args(List.of("-re", "-f", "lavfi", "-i",
                    "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440", "-t", "240",
                    "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30", "-b:v", "800k",
                    "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k", "-f", "flv",
                    "rtmp://127.0.0.1:" + env.get("CASTPIPE_RTMP_PORT") + "/live/" + channel.get("streamKey").asText())).start();
            String playlist = "/live/under-attack/360p/index.m3u8";
            BrowserTests.awaitOk(base + playlist, Duration.ofSeconds(90));
            AbuseRun.Uploads uploads = AbuseRun.prepareUploads(base, user, 16);

            try (LegitViewer viewer = new LegitViewer(base + playlist)) {
                Thread.sleep(6000);
                long heapBefore = NodeHeap.liveBytes(node.process.pid());
                Instant attackStart = Instant.now();
                AbuseRun.Sizes sizes = AbuseRun.Sizes.standard();
                List<Tally> tallies;
                long heapDuring;
                long launchSeconds;
                try (Attacks attacks = AbuseRun.launch(new AbuseRun.Target("127.0.0.1", node.httpPort,
                        Integer.parseInt(env.get("CASTPIPE_RTMP_PORT")), Integer.parseInt(env.get("CASTPIPE_CHAT_PORT")),
                        user, "under-attack", uploads.videoIds(), uploads.tusPaths(), playlist), sizes)) {
                    launchSeconds = Duration.between(attackStart, Instant.now()).toSeconds() + 1;
                    heapDuring = NodeHeap.liveBytes(node.process.pid());
                    // Every timeout has run out; what is still held is what the node allows to be held.
                    Thread.sleep(Math.max(HEADER_TIMEOUT, Math.max(PUBLISH_TIMEOUT, BODY_TIMEOUT)) * 1000L + SLACK_MILLIS);
                    // The real users are served meanwhile.
                    assertThat(node.healthStatus()).isEqualTo(200);
                    assertThat(get(base + "/api/live").body()).contains("\"channel\":\"under-attack\"");
                    try (ChatSocket chat = ChatSocket.join(Integer.parseInt(env.get("CASTPIPE_CHAT_PORT")), "under-attack", null)) {
                        chat.await("the room's history", Duration.ofSeconds(10), c -> !c.frames("history").isEmpty());
                    }
                    tallies = attacks.tallies();
                    tallies.forEach(t -> System.out.println(t.summary()));
                }
                Instant attackEnd = Instant.now();
                Thread.sleep(5000);
                long heapAfter = NodeHeap.liveBytes(node.process.pid());
                System.out.printf("node live heap: before %d MiB, during %d MiB, after %d MiB%n",
                        heapBefore >> 20, heapDuring >> 20, heapAfter >> 20);

                List<LegitViewer.Sample> attacked = viewer.samplesSince(attackStart).stream()
                        .filter(s -> s.at().isBefore(attackEnd)).toList();
                long fresh = attacked.stream().filter(LegitViewer.Sample::newSegment).count();
                long worstBehind = attacked.stream().mapToLong(LegitViewer.Sample::behindMillis).max().orElse(-1);
                System.out.printf("viewer under attack: %d reloads, %d new segments, newest media at most %d ms behind, %d failures%n",
                        attacked.size(), fresh, worstBehind, viewer.failures());
                assertThat(fresh).as("new segments reached the viewer during the attack").isGreaterThanOrEqualTo(5);
                assertThat(worstBehind).as("the live edge never fell far behind").isBetween(0L, 10_000L);
                assertThat(ProcessHandle.of(publisher.pid()).map(ProcessHandle::isAlive)).as("the publisher goes on").contains(true);

                assertBounded(tallies, heapBefore, heapDuring, heapAfter, sizes, launchSeconds);
            }
            publisher.kill("security suite done");
        }
    }

    private static void assertBounded(List<Tally> tallies, long before, long during, long after, AbuseRun.Sizes sizes,
                                      long launchSeconds) {
        // Memory: the RTMP reassembly that once exhausted a 1 GiB heap with a few connections, and the
        // single-request uploads that held a whole storage part each, are bounded.
        assertThat(during - before).as("heap taken by %d hostile connections", sizes.held()).isLessThan(64L << 20);
        assertThat(after - before).as("heap kept once they are gone").isLessThan(32L << 20);
        for (Tally t : tallies) {
            switch (t.name()) {
                case "rtmp: 8 MiB messages, no connect" -> assertThat(t.closedWithin(PUBLISH_TIMEOUT * 1000L + SLACK_MILLIS))
                        .as(t.summary()).isEqualTo(t.opened());
                case "rtmp: handshake, no publish" -> {
                    assertThat(t.closedWithin(PUBLISH_TIMEOUT * 1000L + SLACK_MILLIS)).as(t.summary()).isEqualTo(t.opened());
                    assertThat(t.closedWithin(PUBLISH_TIMEOUT * 1000L - 1000)).as("not before the deadline: " + t.summary()).isZero();
                }
                case "rtmp: one address, no publish" -> {
                    assertThat(t.closedWithin(1000)).as("beyond 10 from one address, refused: " + t.summary())
                            .isEqualTo(t.opened() - 10);
                    assertThat(t.closedWithin(PUBLISH_TIMEOUT * 1000L + SLACK_MILLIS)).as(t.summary()).isEqualTo(t.opened());
                }
                case "http: half a request" -> {
                    assertThat(t.closedWithin(HEADER_TIMEOUT * 1000L + SLACK_MILLIS)).as(t.summary()).isEqualTo(t.opened());
                    assertThat(t.closedWithin(1000) + t.failedToConnect()).as("beyond 256 from one address, refused: " + t.summary())
                            .isGreaterThanOrEqualTo(sizes.slowlorisPerAddress() - HTTP_PER_ADDRESS);
                }
                case "http: upload body stalls" -> {
                    // Of the 16 single-request uploads one user may have 2 going, the rest are refused at once;
                    // the 16 tus uploads keep their bytes on disk and are not limited so.
                    assertThat(t.answersStartingWith("HTTP/1.1 429")).as(t.summary()).isEqualTo(14);
                    assertThat(t.answersStartingWith("HTTP/1.1 408")).as(t.summary()).isEqualTo(18);
                }
                case "chat: joins from one address" -> assertThat(t.stillOpen()).as(t.summary()).isLessThanOrEqualTo(100);
                case "http: blocking reloads, one address" -> {
                    // 256 connections reach the origin; 100 of their requests may wait, the others are 429.
                    assertThat(t.answersStartingWith("HTTP/1.1 429")).as(t.summary())
                            .isGreaterThanOrEqualTo(Math.min(HTTP_PER_ADDRESS, sizes.blockedReloadsOneAddress()) - BLOCKED_PER_ADDRESS);
                    assertThat(t.answersStartingWith("HTTP/1.1 200")).as(t.summary()).isLessThanOrEqualTo(BLOCKED_PER_ADDRESS);
                }
                case "http: API burst, one address" -> {
                    // A minute's 1,200 reads, and what the bucket refills (20 a second) while the burst lasts.
                    assertThat(t.answersStartingWith("HTTP/1.1 429")).as(t.summary()).isPositive();
                    assertThat(t.answersStartingWith("HTTP/1.1 200")).as(t.summary()).isLessThanOrEqualTo(1200 + 20 * (int) launchSeconds);
                }
                default -> throw new AssertionError("no expectation for " + t.name());
            }
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
