package io.castpipe.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.ffmpeg.FfmpegJob;
import io.castpipe.ingest.amf.Amf0;
import io.castpipe.ingest.amf.Amf0Decoder;
import io.castpipe.ingest.chunk.RtmpMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Peers that hold messages half-sent to take the node's memory: connections that never publish
 * (media before the publish, many commands in progress, a publish that never comes, too many
 * from one address) and a publisher that starts more messages than it ever finishes. The heap
 * stays flat, each is closed for its reason, and a good publisher on 127.0.0.1 streams meanwhile.
 */
class RtmpBudgetTest {
    private static final int PUBLISH_TIMEOUT_SECONDS = 8;
    private static final long MIB = 1024 * 1024;
    private static IngestTestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = new IngestTestNode("ingestbudget.",
                Map.of("CASTPIPE_RTMP_PUBLISH_TIMEOUT_SECONDS", String.valueOf(PUBLISH_TIMEOUT_SECONDS)));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void connectionsThatNeverPublishHoldNoMemoryWhileAGoodPublisherStreams() throws Exception {
        String[] good = node.channel("steady");
        long heapBefore = usedHeapAfterGc();
        Peak peak = new Peak(node);
        FfmpegJob publisher = node.publish(good[1], 12).start();

        List<RawRtmpClient> hostile = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> floods = new ArrayList<>();
        // Media before any publish: 31 chunk streams each start a message of 8 MiB; 33 MiB sent per connection.
        for (String from : List.of("127.0.0.2", "127.0.0.3")) {
            for (int i = 0; i < 6; i++) {
                floods.add(pool.submit(opened(hostile, from, c -> partialVideos(c, 31))));
            }
        }
        // Commands of 64 KiB, each half sent, on 31 chunk streams: the first is past the 16 KiB a connection may hold.
        for (int i = 0; i < 10; i++) {
            floods.add(pool.submit(opened(hostile, "127.0.0.4", RtmpBudgetTest::partialCommands)));
        }
        for (Future<?> f : floods) {
            f.get();
        }
        // A publish that never comes: half a connect, then a byte every half second.
        List<RawRtmpClient> slow = new ArrayList<>();
        AtomicBoolean dripping = new AtomicBoolean(true);
        for (int i = 0; i < 9; i++) {
            RawRtmpClient c = RawRtmpClient.handshaken("127.0.0.5", node.port);
            c.write(RawRtmpClient.concat(RawRtmpClient.header(3, RtmpMessage.COMMAND_AMF0, 1000, 0), new byte[128],
                    RawRtmpClient.continuation(3)));
            slow.add(c);
        }
        // And one that connects properly, then never publishes.
        RawRtmpClient connected = RawRtmpClient.handshaken("127.0.0.5", node.port);
        connected.command(0, "connect", 1.0, Amf0.object("app", "live"));
        slow.add(connected);
        Thread drip = new Thread(() -> {
            while (dripping.get()) {
                slow.subList(0, 9).forEach(c -> c.write(new byte[1]));
                sleep(500);
            }
        });
        drip.start();
        // 127.0.0.5 holds its 10: more from it are closed on arrival.
        List<RawRtmpClient> overTheLimit = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            overTheLimit.add(RawRtmpClient.connect("127.0.0.5", node.port));
        }

        long heapDuring = usedHeapAfterGc();
        System.out.printf("hostile peers: heap after GC before %d MiB, while they hold their connections %d MiB%n",
                heapBefore / MIB, heapDuring / MIB);
        for (RawRtmpClient c : overTheLimit) {
            assertThat(c.closedByServer(Duration.ofSeconds(5))).as("a connection past the per-address limit").isTrue();
        }
        for (RawRtmpClient c : hostile) {
            assertThat(c.closedByServer(Duration.ofSeconds(10))).as("a connection that sent media or too much before publishing").isTrue();
        }
        for (RawRtmpClient c : slow) {
            assertThat(c.closedByServer(Duration.ofSeconds(PUBLISH_TIMEOUT_SECONDS + 10))).as("a connection that never published").isTrue();
        }
        dripping.set(false);
        drip.join();
        String told = String.valueOf(connected.receivedMessages().stream().filter(m -> m.typeId() == RtmpMessage.COMMAND_AMF0)
                .map(m -> Amf0Decoder.decodeAll(m.payload())).toList());

        publisher.await();
        IngestTestNode.Seen seen = node.await(good[0], 1, Duration.ofSeconds(20));
        long heapAfter = usedHeapAfterGc();
        peak.stop();
        pool.shutdown();
        hostile.forEach(RawRtmpClient::close);
        slow.forEach(RawRtmpClient::close);
        overTheLimit.forEach(RawRtmpClient::close);
        System.out.printf("hostile peers: heap after GC before %d MiB, during %d MiB, after %d MiB; peak heap (no GC) %d MiB,"
                        + " peak reassembly %d KiB%n", heapBefore / MIB, heapDuring / MIB, heapAfter / MIB, peak.heap() / MIB,
                peak.reassembly() / 1024);

        assertThat(heapDuring - heapBefore).as("heap growth while hostile peers hold their connections").isLessThan(48 * MIB);
        assertThat(heapAfter - heapBefore).as("heap growth after they are gone").isLessThan(48 * MIB);
        assertThat(refused("before_publish")).isEqualTo(22);
        assertThat(refused("publish_timeout")).isEqualTo(10);
        assertThat(refused("per_address")).isEqualTo(3);
        assertThat(told).contains("NetStream.Publish.Denied", "no publish within " + PUBLISH_TIMEOUT_SECONDS + " s");
        assertThat(node.metrics.scrape()).contains("castpipe_ingest_refused_total{", "reason=\"per_address\"",
                "castpipe_ingest_reassembly_bytes{", "share=\"before_publish\"", "castpipe_ingest_key_lookups{");

        assertThat(seen.events()).extracting(StreamEvent::type).containsExactly(StreamEvent.Type.STARTED, StreamEvent.Type.ENDED);
        assertThat(seen.media(seen.events().get(0).streamId())).hasSizeGreaterThan(300);
        assertThat(node.reassembly()).isZero();
    }

    @Test
    void aPublisherMayHoldOneMessageOfEachKindInProgressAndNoMore() throws Exception {
        String[] ch = node.channel("hoarder");
        double before = refused("buffer");
        try (RawRtmpClient c = RawRtmpClient.handshaken("127.0.0.6", node.port)) {
            c.publish(ch[1], Duration.ofSeconds(20));
            partialVideos(c, 10);
            assertThat(c.closedByServer(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(refused("buffer")).isEqualTo(before + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> node.reassembly() == 0);
    }

    /**
     * With a 1 MiB budget: 256 KiB for connections that have not published, 768 KiB for publishers.
     * While ffmpeg publishes, a publisher that grows a message past what is left of the publishers'
     * share is the one closed, and connections that never publish fill their quarter and no more:
     * those past it are closed, and ffmpeg's stream is whole.
     */
    @Test
    void whoeverAsksForMoreThanIsLeftIsClosedAndNoOneElse() throws Exception {
        try (IngestTestNode small = new IngestTestNode("ingestsmall.", Map.of("CASTPIPE_RTMP_BUFFER_MB", "1"))) {
            Peak peak = new Peak(small);
            String[] good = small.channel("steadysmall");
            String[] greedy = small.channel("greedy");
            FfmpegJob publisher = small.publish(good[1], 15).start();
            small.awaitStarted(good[0], Duration.ofSeconds(30));

            // A publisher starts an 8 MiB video: at 512 KiB its buffer would double past the 768 KiB share.
            try (RawRtmpClient hoarder = RawRtmpClient.handshaken("127.0.0.7", small.port)) {
                hoarder.publish(greedy[1], Duration.ofSeconds(20));
                partialVideos(hoarder, 1);
                assertThat(hoarder.closedByServer(Duration.ofSeconds(10))).isTrue();
            }
            assertThat(small.meter("castpipe.ingest.refused", "reason", "buffer")).isEqualTo(1);

            // Connections that never publish, each holding 16 KiB of a command (12 KiB arrived), one after another.
            List<RawRtmpClient> anonymous = new ArrayList<>();
            int closed = 0;
            for (String from : List.of("127.0.0.8", "127.0.0.9", "127.0.0.10")) {
                for (int i = 0; i < 8; i++) {
                    long before = small.reassembly("before_publish");
                    RawRtmpClient c = RawRtmpClient.handshaken(from, small.port);
                    anonymous.add(c);
                    c.write(RawRtmpClient.concat(RawRtmpClient.header(3, RtmpMessage.COMMAND_AMF0, 16384, 0), new byte[128]));
                    for (int at = 128; at < 12288; at += 128) {
                        c.write(RawRtmpClient.concat(RawRtmpClient.continuation(3), new byte[128]));
                    }
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> c.closedByServer(Duration.ZERO) || small.reassembly("before_publish") == before + 16384);
                    closed += c.closedByServer(Duration.ZERO) ? 1 : 0;
                }
            }
            System.out.printf("1 MiB budget: %d of %d connections that never published closed; peak reassembly %d KiB%n",
                    closed, anonymous.size(), peak.reassembly() / 1024);
            assertThat(closed).isEqualTo(8);
            assertThat(small.meter("castpipe.ingest.refused", "reason", "before_publish")).isEqualTo(8);
            assertThat(small.reassembly("before_publish")).isEqualTo(256 * 1024);
            assertThat(peak.reassembly()).isLessThanOrEqualTo(MIB);

            publisher.await();
            IngestTestNode.Seen seen = small.await(good[0], 1, Duration.ofSeconds(20));
            assertThat(seen.events()).extracting(StreamEvent::type).containsExactly(StreamEvent.Type.STARTED, StreamEvent.Type.ENDED);
            assertThat(seen.media(seen.events().get(0).streamId())).hasSizeGreaterThan(600);
            anonymous.forEach(RawRtmpClient::close);
            await().atMost(Duration.ofSeconds(10)).until(() -> small.reassembly() == 0);
            peak.stop();
        }
    }

    /**
     * {@code streams} chunk streams (31 and the control stream are the most a connection may use)
     * each starting a video message of 8 MiB and sending 1 MiB of it, round by round.
     */
    private static void partialVideos(RawRtmpClient c, int streams) {
        if (!c.chunkSize(65536)) {
            return;
        }
        byte[] chunk = new byte[65536];
        for (int round = 0; round < 17; round++) {
            for (int csid = 4; csid < 4 + streams; csid++) {
                byte[] header = round == 0 ? RawRtmpClient.header(csid, RtmpMessage.VIDEO, 8 * 1024 * 1024, 1)
                        : RawRtmpClient.continuation(csid);
                if (!c.write(RawRtmpClient.concat(header, chunk))) {
                    return;
                }
            }
        }
    }

    /** 31 chunk streams each starting a command of 64 KiB and sending half of it. */
    private static void partialCommands(RawRtmpClient c) {
        if (!c.chunkSize(32768)) {
            return;
        }
        for (int csid = 4; csid < 35; csid++) {
            if (!c.write(RawRtmpClient.concat(RawRtmpClient.header(csid, RtmpMessage.COMMAND_AMF0, 65536, 0), new byte[32768]))) {
                return;
            }
        }
    }

    private interface Flood {
        void run(RawRtmpClient c) throws Exception;
    }

    private static Callable<Void> opened(List<RawRtmpClient> into, String from, Flood flood) {
        return () -> {
            RawRtmpClient c = RawRtmpClient.handshaken(from, node.port);
            into.add(c);
            flood.run(c);
            return null;
        };
    }

    private static double refused(String reason) {
        double n = node.meter("castpipe.ingest.refused", "reason", reason);
        return Double.isNaN(n) ? 0 : n;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The highest used heap and reassembly bytes seen, sampled every 20 ms. */
    private static final class Peak {
        private final AtomicLong heap = new AtomicLong();
        private final AtomicLong reassembly = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Peak(IngestTestNode on) {
            thread = new Thread(() -> {
                Runtime rt = Runtime.getRuntime();
                while (running.get()) {
                    heap.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);
                    reassembly.accumulateAndGet(on.reassembly(), Math::max);
                    sleep(20);
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        long heap() {
            return heap.get();
        }

        long reassembly() {
            return reassembly.get();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }
}
