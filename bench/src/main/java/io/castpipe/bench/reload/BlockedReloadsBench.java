package io.castpipe.bench.reload;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;

import io.castpipe.bench.ServerProcess;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topics;

/**
 * {@code bench/run blocked-reloads [clients] [parts]}: one origin (its own JVM, with the embedded
 * Kafka and S3) holding {@code clients} concurrent blocking playlist reloads for the next part,
 * woken part after part, beside the same clients polling the plain playlist every part target
 * as a player without LL-HLS does; then, once the origin has stopped, the same blocking reloads
 * held and woken by the {@link FloorProcess}, the least any server could do on this machine.
 * Prints the table recorded in {@code docs/benchmarks.md}.
 */
public final class BlockedReloadsBench {
    private static final int CLIENT_THREADS = 2;
    private static final int WARM_UP_PARTS = 6;
    private static final String CHANNEL = "bench";

    private BlockedReloadsBench() {
    }

    private record OriginRuns(ServerProcess.Stats idle, BlockingReloadRun.Result blocking, ServerProcess.Stats after,
                              PollingRun.Result polling) {
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int parts = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        if (clients < 1 || clients > 15_000 || parts < 1 || parts > 1_000) {
            System.err.println("usage: bench/run blocked-reloads [clients, 1..15000, default 10000] [parts, 1..1000, default 10]");
            System.exit(2);
        }
        OriginRuns origin = runOrigin(clients, parts);
        BlockingReloadRun.Result floor = runFloor(clients, parts);
        print(clients, parts, origin, floor);
    }

    private static OriginRuns runOrigin(int clients, int parts) throws Exception {
        try (ServerProcess origin = ServerProcess.start(OriginProcess.class);
             EventPublisher kafka = new EventPublisher(new KafkaSettings(origin.kafkaBootstrap(), "bench", Duration.ofSeconds(15)),
                     new Topics(OriginProcess.TOPIC_PREFIX), "bench")) {
            AnnouncedStream live = new AnnouncedStream(kafka, CHANNEL);
            awaitServed(origin, live);
            ServerProcess.Stats idle = origin.stats();
            try (PlaylistClients connections = PlaylistClients.open(new InetSocketAddress("127.0.0.1", origin.port),
                    clients, CLIENT_THREADS)) {
                BlockingReloadRun.Result blocking = runBlocking(connections, origin, live, clients, parts);
                ServerProcess.Stats after = origin.stats();
                PollingRun polling = new PollingRun(live, WARM_UP_PARTS + parts + PollingRun.WARM_UP, parts, clients);
                connections.handleWith(polling);
                return new OriginRuns(idle, blocking, after, polling.run(connections, origin));
            }
        }
    }

    private static BlockingReloadRun.Result runFloor(int clients, int parts) throws Exception {
        try (ServerProcess floor = ServerProcess.start(FloorProcess.class);
             PlaylistClients connections = PlaylistClients.open(new InetSocketAddress("127.0.0.1", floor.port),
                     clients, CLIENT_THREADS)) {
            return runBlocking(connections, floor, k -> floor.ask("answer " + k, "answered"), clients, parts);
        }
    }

    /** The measured blocking reloads, after an unmeasured first pass so that no server pays for its JVM's warm-up (JIT). */
    private static BlockingReloadRun.Result runBlocking(PlaylistClients connections, ServerProcess server, PartAnnouncer announcer,
                                                        int clients, int parts) throws Exception {
        String playlist = AnnouncedStream.playlistPath(CHANNEL);
        BlockingReloadRun warmUp = new BlockingReloadRun(announcer, playlist, 0, WARM_UP_PARTS, clients);
        connections.handleWith(warmUp);
        warmUp.run(connections, server);
        BlockingReloadRun blocking = new BlockingReloadRun(announcer, playlist, WARM_UP_PARTS, parts, clients);
        connections.handleWith(blocking);
        return blocking.run(connections, server);
    }

    /** Announces the stream until the origin serves its playlist: an origin hears only what comes after it joined. */
    private static void awaitServed(ServerProcess origin, AnnouncedStream live) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI playlist = URI.create("http://127.0.0.1:" + origin.port + live.playlistPath());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        // The API would have made the stream's recording when it started; without one the origin serves nothing of it.
        origin.ask("video " + live.streamId(), "video");
        live.start();
        for (int i = 1; ; i++) {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(playlist).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 200 && AnnouncedStream.lastPartListed(r.body()) == -1) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the origin did not serve the announced playlist within 30 s: " + r.statusCode());
            }
            Thread.sleep(100);
            if (i % 10 == 0) {
                live.start();
            }
        }
    }

    private static void print(int clients, int parts, OriginRuns origin, BlockingReloadRun.Result floor) {
        BlockingReloadRun.Result ll = origin.blocking();
        PollingRun.Result plain = origin.polling();
        Latencies.Summary a = ll.wake();
        Latencies.Summary b = plain.seen();
        Latencies.Summary f = floor.wake();
        System.out.printf(Locale.ROOT, "%d clients, %d parts each way, part target %.3f s%n%n", clients, parts,
                AnnouncedStream.PART_TARGET);
        System.out.println("| from announcement to the client | blocking reload (LL-HLS) | polling every part target"
                + " | polling / blocking | floor (bare NIO, no Kafka) | Castpipe / floor |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
        for (double p : new double[] {50, 90, 99}) {
            row("p" + (int) p + " ms", a.percentileMs(p), b.percentileMs(p), f.percentileMs(p));
        }
        row("max ms", a.percentileMs(100), b.percentileMs(100), f.percentileMs(100));
        row("mean ms", a.meanMs(), b.meanMs(), f.meanMs());
        row("requests/s the server served", ll.requestsPerSecond(), plain.requestsPerSecond(), floor.requestsPerSecond());
        System.out.printf(Locale.ROOT, "| answers/s while waking all (median part) | %.1f | — | — | %.1f | %.2f× |%n",
                ll.wakeBurstPerSecond(), floor.wakeBurstPerSecond(), ll.wakeBurstPerSecond() / floor.wakeBurstPerSecond());
        row("server CPU µs per answer", ll.originCpuMicrosPerAnswer(), plain.originCpuMicrosPerAnswer(),
                floor.originCpuMicrosPerAnswer());
        System.out.printf(Locale.ROOT, "%nblocking: %d answers measured, %d missing, %d answered before their part was announced,"
                        + " errors: %s%n", a.sorted().length, a.missing(), ll.answeredBeforeAnnounced(), ll.errors());
        System.out.printf(Locale.ROOT, "  median per part: Kafka acknowledged part and playlist after %.1f ms;"
                + " all %d answered at %.0f answers/s%n", ll.medianAckMs(), clients, ll.wakeBurstPerSecond());
        System.out.printf(Locale.ROOT, "polling: %d parts seen, %d never seen, %d polls skipped (previous still in flight), errors: %s%n",
                b.sorted().length, b.missing(), plain.skippedPolls(), plain.errors());
        System.out.printf(Locale.ROOT, "floor: %d answers measured, %d missing, %d answered before their part was announced,"
                        + " errors: %s%n", f.sorted().length, f.missing(), floor.answeredBeforeAnnounced(), floor.errors());
        System.out.printf(Locale.ROOT, "  median per part: the floor had written to all after %.1f ms;"
                + " all %d answered at %.0f answers/s%n", floor.medianAckMs(), clients, floor.wakeBurstPerSecond());
        System.out.printf(Locale.ROOT, "origin JVM: %d threads idle, %d with %d requests parked, %d after; heap used after GC"
                        + " %.0f MiB idle, %.0f MiB parked%n", origin.idle().threads(), ll.parked().threads(), clients,
                origin.after().threads(), origin.idle().heapBytes() / 1048576.0, ll.parked().heapBytes() / 1048576.0);
        System.out.printf(Locale.ROOT, "floor JVM: %d threads with %d requests parked; heap used after GC %.0f MiB%n",
                floor.parked().threads(), clients, floor.parked().heapBytes() / 1048576.0);
    }

    /** A row with both ratios: polling / blocking, and Castpipe's blocking reloads / the floor's. */
    private static void row(String name, double blocking, double polling, double floor) {
        System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f× | %.1f | %.2f× |%n", name, blocking, polling, polling / blocking,
                floor, blocking / floor);
    }
}
