package io.castpipe.bench.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The table of a chaos run: recovery per fault, then what the guarantees promise, counted. */
final class ChaosReport {
    private ChaosReport() {
    }

    static void print(int minutes, long seed, List<Fault.Outcome> outcomes, Map<String, String> videos, int uploadsRefused,
                      String transcoderLogs, ChatJourney chat, LiveJourney live) {
        System.out.printf("%nchaos: %d minutes, seed %d, %d faults%n", minutes, seed, outcomes.size());
        System.out.printf("%-16s %6s %10s %10s %12s%n", "fault", "times", "p50 (s)", "max (s)", "not noticed");
        Map<Fault, List<Fault.Outcome>> byFault = new EnumMap<>(Fault.class);
        outcomes.forEach(o -> byFault.computeIfAbsent(o.fault(), f -> new ArrayList<>()).add(o));
        byFault.forEach((fault, list) -> row(fault.label(), list));
        row("all", outcomes);

        long ready = videos.values().stream().filter("ready"::equals).count();
        long failed = videos.values().stream().filter("failed"::equals).count();
        long lost = videos.size() - ready;
        long twice = videos.keySet().stream().filter(id -> count(transcoderLogs, "video " + id + " ready") > 1).count();
        System.out.printf("uploads: %d accepted (%d refused with an error while a fault lasted); %d ready, %d failed, "
                + "%d not ready after 10 min%n", videos.size(), uploadsRefused, ready, failed, videos.size() - ready - failed);
        System.out.printf("jobs lost: %d (must be 0); done twice: %d (must be 0)%n", lost, twice);
        System.out.printf("chat: %d sent, %d confirmed, %d not confirmed (an error, the connection closed, or no echo within "
                + "10 s); confirmed messages lost: %d (must be 0)%n", chat.sent(), chat.confirmed(), chat.refused(), chat.lost());
        System.out.printf("live: %d broadcasts (a new one after each ingest kill), %d attempts to connect (one a second "
                + "while ingest is down)%n", live.broadcasts(), live.attempts());
    }

    private static void row(String label, List<Fault.Outcome> list) {
        List<Duration> recovered = list.stream().map(Fault.Outcome::recovery).filter(d -> d != null)
                .sorted(Comparator.naturalOrder()).toList();
        long unnoticed = list.stream().filter(o -> !o.noticed()).count();
        String p50 = recovered.isEmpty() ? "-" : seconds(recovered.get((recovered.size() - 1) / 2));
        String max = recovered.size() < list.size() ? "never" : recovered.isEmpty() ? "-" : seconds(recovered.get(recovered.size() - 1));
        System.out.printf("%-16s %6d %10s %10s %12d%n", label, list.size(), p50, max, unnoticed);
    }

    private static String seconds(Duration d) {
        return String.format("%.1f", d.toMillis() / 1000.0);
    }

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
