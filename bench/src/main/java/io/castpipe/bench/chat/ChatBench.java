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
 * viewers and posters split over the two. Prints the table recorded in {@code docs/benchmarks.md}.
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
        try (ServerProcess first = ServerProcess.start(ChatNodeProcess.class, ChatNodeProcess.EMBEDDED_KAFKA, signingSecret)) {
            one = new RoomLoadRun(List.of(first), signingSecret).run(readers, rate, seconds);
            try (ServerProcess second = ServerProcess.start(ChatNodeProcess.class, first.kafkaBootstrap(), signingSecret)) {
                two = new RoomLoadRun(List.of(first, second), signingSecret).run(readers, rate, seconds);
            }
        }
        print(readers, rate, seconds, one, two);
    }

    private static void print(int readers, int rate, int seconds, RoomLoadRun.Result one, RoomLoadRun.Result two) {
        System.out.printf(Locale.ROOT, "%d viewers in one room, %d posters sending %d messages/s for %d s%n%n", readers,
                RoomLoadRun.POSTERS, rate, seconds);
        System.out.println("| one room | one chat node | two chat nodes | two / one |");
        System.out.println("| --- | ---: | ---: | ---: |");
        row("messages delivered per second", one, two, RoomLoadRun.Result::deliveriesPerSecond);
        for (double p : new double[] {50, 99}) {
            row("p" + (int) p + " send to receive, ms", one, two, r -> r.latencies().percentileMs(p));
        }
        row("max ms", one, two, r -> r.latencies().percentileMs(100));
        row("deliveries missing", one, two, r -> r.missing());
        row("deliveries twice", one, two, r -> r.duplicates());
        row("viewers dropped", one, two, r -> r.droppedReaders());
        row("error frames to viewers, poster errors", one, two, r -> r.errorFrames() + r.posterProblems());
        row("chat nodes' CPU µs per delivery (node 1 also runs the Kafka broker)", one, two,
                RoomLoadRun.Result::cpuMicrosPerDelivery);
        row("harness CPU µs per delivery (the clients, same two cores)", one, two,
                RoomLoadRun.Result::harnessCpuMicrosPerDelivery);
        for (RoomLoadRun.Result r : List.of(one, two)) {
            if (!r.problems().isEmpty()) {
                System.out.println(r.nodes() + " node(s), first problems: " + r.problems());
            }
        }
    }

    private static void row(String name, RoomLoadRun.Result one, RoomLoadRun.Result two, ToDoubleFunction<RoomLoadRun.Result> f) {
        double a = f.applyAsDouble(one);
        double b = f.applyAsDouble(two);
        System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %s |%n", name, a, b, a == 0 ? "—" : String.format(Locale.ROOT, "%.2f×", b / a));
    }
}
