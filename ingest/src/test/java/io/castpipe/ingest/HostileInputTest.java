package io.castpipe.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.castpipe.common.TestServices;
import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.events.MediaTag;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.ffmpeg.FfmpegException;
import io.castpipe.common.ffmpeg.FfmpegJob;
import io.castpipe.common.metrics.Metrics;
import io.castpipe.common.node.NodeContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad peers: broken handshakes, codecs Castpipe does not take, too many connections, mutated sessions. */
class HostileInputTest {
    private static IngestTestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = new IngestTestNode("ingestfuzz.");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aWrongHandshakeVersionIsClosedAndASilentPeerIsClosedAfterTheHandshakeTimeout() throws Exception {
        try (Socket s = new Socket("127.0.0.1", node.port)) {
            s.setSoTimeout(3000);
            s.getOutputStream().write(new byte[1537]); // C0 version 0
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        try (Socket s = new Socket("127.0.0.1", node.port)) {
            s.setSoTimeout(8000);
            long t0 = System.nanoTime();
            s.getOutputStream().write(3); // C0 and nothing more
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0).toMillis()).isBetween(4000L, 7000L);
        }
    }

    @Test
    void aCodecOtherThanH264IsRefusedWithAReason() throws Exception {
        String[] ch = node.channel("sorenson");
        assertThatThrownBy(() -> node.ffmpeg.command("flv1").args("-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "3", "-c:v", "flv1",
                "-f", "flv", "rtmp://127.0.0.1:" + node.port + "/live/" + ch[1]).run())
                .isInstanceOfSatisfying(FfmpegException.class, e -> assertThat(String.join("\n", e.stderrTail()))
                        .contains("video codec id 2 is not supported; send H.264 video"));
        IngestTestNode.Seen seen = node.await(ch[0], 1, Duration.ofSeconds(2));
        assertThat(seen.events()).isEmpty(); // the first video tag was refused: the stream never started
        assertThat(seen.mediaByStream().values().stream().flatMap(List::stream))
                .noneMatch(t -> t.kind() != MediaTag.Kind.SCRIPT);

        String[] mp3 = node.channel("mp3");
        assertThatThrownBy(() -> node.ffmpeg.command("mp3").args("-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "sine", "-t", "3", "-c:a", "libmp3lame",
                "-f", "flv", "rtmp://127.0.0.1:" + node.port + "/live/" + mp3[1]).run())
                .isInstanceOfSatisfying(FfmpegException.class, e -> assertThat(String.join("\n", e.stderrTail()))
                        .contains("audio format 2 is not supported; send AAC audio"));
    }

    @Test
    void connectionsPastTheLimitAreClosedAtOnceIdlePeersAfterTheIdleTimeoutAndAllOnClose() throws Exception {
        int port = TestServices.freePort();
        CastpipeConfig config = CastpipeConfig.from(Map.of("CASTPIPE_RTMP_PORT", String.valueOf(port),
                "CASTPIPE_BIND_ADDRESS", "127.0.0.1", "CASTPIPE_RTMP_MAX_CONNECTIONS", "2"));
        IngestService small = new IngestService(new NodeContext(config, node.dir, node.kafka, node.topics, null, node.db,
                node.ffmpeg, null, new Metrics("small"), null, null), Duration.ofSeconds(1), Duration.ofSeconds(30));
        small.start();
        try (Socket a = new Socket("127.0.0.1", port); Socket b = new Socket("127.0.0.1", port)) {
            Thread.sleep(200);
            try (Socket c = new Socket("127.0.0.1", port)) {
                c.setSoTimeout(2000);
                assertThat(c.getInputStream().read()).isEqualTo(-1);
            }
            a.setSoTimeout(300);
            assertThatThrownBy(() -> a.getInputStream().read()).isInstanceOf(java.net.SocketTimeoutException.class);

            // b finishes the handshake and then says nothing: closed after the (1 s) idle timeout
            b.setSoTimeout(5000);
            byte[] c0c1 = new byte[1537];
            c0c1[0] = 3;
            b.getOutputStream().write(c0c1);
            b.getInputStream().readNBytes(1 + 2 * 1536);
            b.getOutputStream().write(new byte[1536]);
            long t0 = System.nanoTime();
            assertThat(b.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0).toMillis()).isBetween(700L, 3000L);

            // closing the service closes the connections it holds
            try (Socket d = new Socket("127.0.0.1", port)) {
                d.getOutputStream().write(3);
                Thread.sleep(100);
                t0 = System.nanoTime();
                small.close();
                assertThat(Duration.ofNanos(System.nanoTime() - t0).toMillis()).isLessThan(3000);
                d.setSoTimeout(2000);
                assertThat(d.getInputStream().read()).isEqualTo(-1);
            }
        } finally {
            small.close();
        }
    }

    @Test
    void thousandsOfRandomAndMutatedSessionsLeaveTheServerServingAndGoodPublishersUnaffected() throws Exception {
        String[] ch = node.channel("fuzz");
        byte[] session = record(ch[1]);
        assertThat(session.length).isGreaterThan(20_000);
        long heapBefore = usedHeapAfterGc();

        // A good publisher streams through the whole storm.
        String[] during = node.channel("duringfuzz");
        FfmpegJob good = node.publish(during[1], 8).start();

        int cases = 2000;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> runs = new ArrayList<>();
        for (int i = 0; i < cases; i++) {
            int seed = i;
            runs.add(pool.submit(() -> {
                Random r = new Random(seed);
                // One in five is noise from the first byte; the rest are a real session, mutated.
                byte[] bytes = seed % 5 == 0 ? randomBytes(r) : mutate(session, r);
                send(bytes);
                return null;
            }));
        }
        for (Future<?> f : runs) {
            f.get();
        }
        pool.shutdown();
        good.await();
        IngestTestNode.Seen duringSeen = node.await(during[0], 1, Duration.ofSeconds(20));
        assertThat(duringSeen.events()).extracting(StreamEvent::type).containsExactly(StreamEvent.Type.STARTED, StreamEvent.Type.ENDED);
        assertThat(duringSeen.media(duringSeen.events().get(0).streamId())).hasSizeGreaterThan(200);

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while ((node.meter("castpipe.ingest.connections", null) > 0 || node.meter("castpipe.ingest.live.streams", null) > 0)
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(node.meter("castpipe.ingest.connections", null)).isZero();
        assertThat(node.meter("castpipe.ingest.live.streams", null)).isZero();

        long heapGrowth = usedHeapAfterGc() - heapBefore;
        System.out.printf("fuzz: %d sessions; heap after GC grew by %d KiB%n", cases, heapGrowth / 1024);
        assertThat(heapGrowth).as("heap growth after %d hostile sessions", cases).isLessThan(64L << 20);

        String[] after = node.channel("afterfuzz");
        node.publish(after[1], 2).run();
        IngestTestNode.Seen seen = node.await(after[0], 1, Duration.ofSeconds(20));
        assertThat(seen.events()).extracting(StreamEvent::type).containsExactly(StreamEvent.Type.STARTED, StreamEvent.Type.ENDED);
        assertThat(seen.media(seen.events().get(0).streamId())).hasSizeGreaterThan(100);
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[1 + r.nextInt(64 * 1024)];
        r.nextBytes(b);
        if (r.nextBoolean()) {
            b[0] = 3; // a valid handshake version, so the noise reaches the chunk decoder
        }
        return b;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** The bytes a real ffmpeg publish sends, captured by a relay between ffmpeg and the server. */
    private static byte[] record(String key) throws Exception {
        ByteArrayOutputStream capture = new ByteArrayOutputStream();
        try (ServerSocket relay = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            FfmpegJob job = node.publish(key, 2, relay.getLocalPort()).start();
            try (Socket client = relay.accept(); Socket upstream = new Socket("127.0.0.1", node.port)) {
                Thread up = pump(client.getInputStream(), upstream.getOutputStream(), capture, client, upstream);
                Thread down = pump(upstream.getInputStream(), client.getOutputStream(), null, client, upstream);
                job.await();
                up.join(5000);
                down.join(5000);
            }
        }
        return capture.toByteArray();
    }

    private static Thread pump(InputStream in, OutputStream out, ByteArrayOutputStream capture, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    if (capture != null) {
                        synchronized (capture) {
                            capture.write(buf, 0, n);
                        }
                    }
                }
            } catch (IOException e) {
                // one side went away
            } finally {
                try {
                    a.close();
                    b.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        });
        t.start();
        return t;
    }

    /** A prefix of the real session with a few random changes, mostly past the handshake. */
    static byte[] mutate(byte[] session, Random r) {
        int length = 1537 + r.nextInt(Math.min(session.length, 120_000) - 1537);
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 4096);
        out.write(session, 0, length);
        byte[] b = out.toByteArray();
        int kind = r.nextInt(6);
        int from = 3073 + r.nextInt(Math.max(1, Math.min(b.length - 3073, 8000)));
        switch (kind) {
            case 0 -> { // flip a few bytes
                for (int i = 0, n = 1 + r.nextInt(8); i < n && b.length > 3074; i++) {
                    int at = 3073 + r.nextInt(b.length - 3073);
                    b[at] ^= (byte) (1 + r.nextInt(255));
                }
                return b;
            }
            case 1 -> { // insert random bytes
                byte[] junk = new byte[1 + r.nextInt(512)];
                r.nextBytes(junk);
                return splice(b, Math.min(from, b.length), 0, junk);
            }
            case 2 -> { // delete a range
                int at = Math.min(from, b.length);
                return splice(b, at, Math.min(b.length - at, 1 + r.nextInt(600)), new byte[0]);
            }
            case 3 -> { // a valid handshake followed by noise
                byte[] noise = new byte[r.nextInt(8192)];
                r.nextBytes(noise);
                return splice(b, Math.min(3073, b.length), b.length - Math.min(3073, b.length), noise);
            }
            case 4 -> { // large values in header fields
                for (int i = 0, n = 1 + r.nextInt(4); i < n && b.length > 3080; i++) {
                    int at = 3073 + r.nextInt(b.length - 3080);
                    for (int j = 0; j < 4; j++) {
                        b[at + j] = (byte) 0xff;
                    }
                }
                return b;
            }
            default -> { // a chunk of the session repeated
                int at = Math.min(from, b.length);
                int n = Math.min(b.length - at, 1 + r.nextInt(2000));
                byte[] copy = java.util.Arrays.copyOfRange(b, at, at + n);
                return splice(b, at, 0, copy);
            }
        }
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    private static void send(byte[] bytes) {
        try (Socket s = new Socket("127.0.0.1", node.port)) {
            s.setSoTimeout(3000);
            Thread reader = new Thread(() -> {
                try {
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[8192];
                    while (in.read(buf) >= 0) {
                        // drain the server's answers
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            reader.start();
            try {
                s.getOutputStream().write(bytes);
                s.shutdownOutput();
            } catch (IOException e) {
                // the server closed first: fine
            }
            reader.join(5000);
        } catch (IOException | InterruptedException e) {
            // connection refused would show in the assertions after the run
        }
    }
}
