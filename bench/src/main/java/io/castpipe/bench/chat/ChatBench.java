package io.castpipe.bench.chat;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import io.castpipe.bench.ServerProcess;

/**
 * {@code bench/run chat [readers] [messages-per-second] [seconds]}: one chat room with
 * {@code readers} viewers (default 5,000) while {@value RoomLoadRun#POSTERS} posters send
 * messages at the given rate (default 100/s) for the given time (default 20 s): first on one chat
 * node, then with a second node in a JVM of its own joined through the same Kafka and the
 * viewers and posters split over the two, then against the floor ({@link FloorChatProcess}: a
 * bare WebSocket broadcaster with the same fan-out tick and nothing else). Prints the table
 * recorded in {@code docs/benchmarks.md}.
 */
public final class ChatBench {
    private ChatBench() {
    }

    public static void main(String[] args) throws Exception {
        int readers = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        if (readers < 1 || readers > 15_000 || rate < 1 || rate > 2_000 || seconds < 1 || seconds > 600) {
            System.err.println("usage: bench/run chat [readers, 1..15000, default 5000] [messages/s, 1..2000, default 100]"
                    + " [seconds, 1..600, default 20]");
            System.exit(2);
        }
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String signingSecret = HexFormat.of().formatHex(secret);
        RoomLoadRun.Result one;
        RoomLoadRun.Result two;
        RoomLoadRun.Result floor;
        try (ServerProcess first = ServerProcess.start(ChatNodeProcess.class, ChatNodeProcess.EMBEDDED_KAFKA, signingSecret)) {
            one = new RoomLoadRun(List.of(first), signingSecret).run(readers, rate, seconds);
            try (ServerProcess second = ServerProcess.start(ChatNodeProcess.class, first.kafkaBootstrap(), signingSecret)) {
                two = new RoomLoadRun(List.of(first, second), signingSecret).run(readers, rate, seconds);
            }
        }
        try (ServerProcess bare = ServerProcess.start(FloorChatProcess.class)) {
            floor = new RoomLoadRun(List.of(bare), signingSecret).run(readers, rate, seconds);
        }
        print(readers, rate, seconds, one, two, floor);
    }

    private static void print(int readers, int rate, int seconds, RoomLoadRun.Result one, RoomLoadRun.Result two,
                              RoomLoadRun.Result floor) {
        System.out.printf(Locale.ROOT, "%d viewers in one room, %d posters sending %d messages/s for %d s%n%n", readers,
                RoomLoadRun.POSTERS, rate, seconds);
        System.out.println("| one room | one chat node | two chat nodes | two / one | floor (bare WebSocket, no Kafka) | one node / floor |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
        List<RoomLoadRun.Result> runs = List.of(one, two, floor);
        row("messages delivered per second", runs, RoomLoadRun.Result::deliveriesPerSecond);
        for (double p : new double[] {50, 99}) {
            row("p" + (int) p + " send to receive, ms", runs, r -> r.latencies().percentileMs(p));
        }
        row("max ms", runs, r -> r.latencies().percentileMs(100));
        row("deliveries missing", runs, r -> r.missing());
        row("deliveries twice", runs, r -> r.duplicates());
        row("viewers dropped", runs, r -> r.droppedReaders());
        row("error frames to viewers, poster errors", runs, r -> r.errorFrames() + r.posterProblems());
        row("servers' CPU µs per delivery (chat node 1 also runs the Kafka broker)", runs,
                RoomLoadRun.Result::cpuMicrosPerDelivery);
        row("harness CPU µs per delivery (the clients, same two cores)", runs,
                RoomLoadRun.Result::harnessCpuMicrosPerDelivery);
        for (RoomLoadRun.Result r : runs) {
            if (!r.problems().isEmpty()) {
                System.out.println(r.nodes() + " node(s), first problems: " + r.problems());
            }
        }
    }

    private static void row(String name, List<RoomLoadRun.Result> runs, ToDoubleFunction<RoomLoadRun.Result> f) {
        double one = f.applyAsDouble(runs.get(0));
        double two = f.applyAsDouble(runs.get(1));
        double floor = f.applyAsDouble(runs.get(2));
        System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %s | %.1f | %s |%n", name, one, two, ratio(two, one), floor,
                ratio(one, floor));
    }

    private static String ratio(double a, double b) {
        return b == 0 ? "—" : String.format(Locale.ROOT, "%.2f×", a / b);
    }
}
