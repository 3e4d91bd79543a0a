package io.castpipe.bench.chat;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.castpipe.bench.ServerProcess;
import io.castpipe.common.auth.ChatTokens;

/**
 * One measured run: {@code readers} read-only viewers and {@link #POSTERS} posters in one room,
 * spread over the given chat nodes in turn; the posters send {@code rate} messages a second in all
 * for {@code seconds}, each stamped with {@link System#nanoTime()} when sent (one clock for every
 * process on the machine); every reader must get every message. Deliveries per second run from
 * the first measured message sent to the last delivery.
 */
final class RoomLoadRun {
    /** Enough posters that each stays well inside a room's per-connection rate limit. */
    static final int POSTERS = 200;
    static final String ROOM = "bench-room";
    private static final int CLIENT_THREADS = 2;
    private static final double WARM_UP_SECONDS = 3;
    private static final Duration STRAGGLERS = Duration.ofSeconds(10);

    record Result(int readers, int nodes, double seconds, long deliveries, double deliveriesPerSecond,
                  LatencyHistogram latencies, long missing, long duplicates, int droppedReaders, int posterProblems,
                  int errorFrames, double cpuMicrosPerDelivery, double harnessCpuMicrosPerDelivery, List<String> problems) {
    }

    private final List<ServerProcess> nodes;
    private final ChatTokens tokens;

    RoomLoadRun(List<ServerProcess> nodes, String signingSecret) {
        this.nodes = nodes;
        this.tokens = new ChatTokens(signingSecret);
    }

    Result run(int readers, int rate, int seconds) throws Exception {
        int messages = rate * seconds;
        int warmUp = (int) (rate * WARM_UP_SECONDS);
        RoomAudience audience = new RoomAudience(readers, messages + warmUp, warmUp);
        Posters posters = new Posters();
        try (WebSocketClients clients = new WebSocketClients(CLIENT_THREADS)) {
            for (int i = 0; i < readers; i++) {
                clients.connect(address(i), "/chat/" + ROOM, audience);
            }
            List<WebSocketClients.Client> posting = new ArrayList<>();
            for (int i = 0; i < POSTERS; i++) {
                String token = tokens.issue(ROOM, "bench-poster-" + i, "poster " + i, ChatTokens.Role.VIEWER,
                        "bench-owner", Instant.now().plus(Duration.ofHours(1)));
                posting.add(clients.connect(address(i), "/chat/" + ROOM + "?token=" + token, posters));
            }
            boolean joined = audience.opened().await(120, TimeUnit.SECONDS) && posters.opened.await(30, TimeUnit.SECONDS);
            if (!joined) {
                throw new IllegalStateException("not every client could join: " + audience.opened().getCount()
                        + " readers and " + posters.opened.getCount() + " posters missing; " + audience.problems()
                        + posters.problems);
            }
            Thread.sleep(1_000);
            send(posting, rate, warmUp);
            long cpuBefore = cpuNanos();
            long harnessCpuBefore = harnessCpuNanos();
            long started = System.nanoTime();
            send(posting, rate, messages, warmUp);
            long deadline = System.nanoTime() + STRAGGLERS.toNanos();
            while (audience.missing(warmUp + messages, readers) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            double cpu = (cpuNanos() - cpuBefore) / 1e3;
            double harnessCpu = (harnessCpuNanos() - harnessCpuBefore) / 1e3;
            double deliverySeconds = (audience.lastArrivalNanos() - started) / 1e9;
            long deliveries = audience.latencies().count();
            List<String> problems = new ArrayList<>(audience.problems());
            problems.addAll(posters.problems);
            return new Result(readers, nodes.size(), deliverySeconds, deliveries, deliveries / deliverySeconds,
                    audience.latencies(), audience.missing(warmUp + messages, readers), audience.duplicates(readers),
                    audience.dropped(), posters.problemCount.get(), audience.errorFrames(), cpu / Math.max(1, deliveries),
                    harnessCpu / Math.max(1, deliveries), problems);
        }
    }

    private InetSocketAddress address(int i) {
        return new InetSocketAddress("127.0.0.1", nodes.get(i % nodes.size()).port);
    }

    private static void send(List<WebSocketClients.Client> posting, int rate, int count) {
        send(posting, rate, count, 0);
    }

    /** Messages {@code first} to {@code first + count - 1}, one every {@code 1/rate} s, posters in turn. */
    private static void send(List<WebSocketClients.Client> posting, int rate, int count, int first) {
        long start = System.nanoTime();
        for (int k = 0; k < count; k++) {
            long due = start + (long) (k * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int seq = first + k;
            posting.get(seq % posting.size()).send("{\"type\":\"message\",\"text\":\"m " + seq + " " + System.nanoTime() + "\"}");
        }
    }

    private static long harnessCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private long cpuNanos() throws Exception {
        long sum = 0;
        for (ServerProcess node : nodes) {
            sum += node.cpuNanos();
        }
        return sum;
    }

    /** The posters also receive the room's frames; they only watch for errors (a rate limit, say) and drops. */
    private static final class Posters implements WebSocketClients.Handler {
        private static final byte[] ERROR = "\"type\":\"error\"".getBytes(StandardCharsets.US_ASCII);
        final CountDownLatch opened = new CountDownLatch(POSTERS);
        final AtomicInteger problemCount = new AtomicInteger();
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

        @Override
        public void opened(WebSocketClients.Client client) {
            opened.countDown();
        }

        @Override
        public void text(WebSocketClients.Client client, byte[] a, int offset, int length, long arrivedNanos) {
            if (RoomAudience.indexOf(a, offset, Math.min(length, 40), ERROR) >= 0) {
                problem("poster " + client.id + ": " + new String(a, offset, length, StandardCharsets.UTF_8));
            }
        }

        @Override
        public void closed(WebSocketClients.Client client, String why) {
            problem("poster " + client.id + " closed: " + why);
        }

        private void problem(String what) {
            problemCount.incrementAndGet();
            if (problems.size() < 5) {
                problems.add(what);
            }
        }
    }
}
