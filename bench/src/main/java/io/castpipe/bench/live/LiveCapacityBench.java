package io.castpipe.bench.live;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegJob;
import io.castpipe.common.ffmpeg.FfmpegLocator;

/**
 * How many 720p30 live streams one node transcodes into its 3-rung ladder in real time, and
 * what each costs: the JVM (ingest, Kafka, packaging, storage, origin) apart from the ladders'
 * ffmpeg. One source is encoded once before the run; each publisher sends it again without
 * re-encoding ({@code -c copy}, looped), so publishers cost next to nothing. Streams are added one
 * at a time; after each has settled, CPU and every ladder's state are measured for a while. A
 * step where a ladder ends more than {@link #BEHIND_LIMIT} behind its input is the last. Given
 * another checkout (built), its node is measured the same way first, and the two side by side.
 */
public final class LiveCapacityBench {
    private static final double BEHIND_LIMIT = 3.0;
    private static final Duration SETTLE = Duration.ofSeconds(15);
    /** A node just started is still compiling and creating: it is idle only after this. */
    private static final Duration STARTED = Duration.ofSeconds(40);

    private record Step(int streams, double jvm, double ladders, double publishers, double mostBehind, double endBehind,
                        int configured, int shed) {
    }

    public static void main(String[] args) throws Exception {
        int maxStreams = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        String latency = args.length > 2 ? args[2] : "low";
        Path home = Path.of(System.getProperty("castpipe.home", ".")).toAbsolutePath().normalize();
        Path baseline = args.length > 3 ? Path.of(args[3]).toAbsolutePath().normalize() : null;
        Path dir = Files.createTempDirectory("castpipe-capacity");
        try (Ffmpeg ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofHours(2))) {
            Path source = dir.resolve("source.flv");
            System.out.println("encoding a 60 s 720p30 source (x264 veryfast, 3 Mbit/s, 1 s keyframes, AAC)…");
            ffmpeg.command("source").args("-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "60",
                    "-c:v", "libx264", "-preset", "veryfast", "-b:v", "3000k", "-g", "30", "-keyint_min", "30",
                    "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-y", source.toString()).run();
            List<Step> before = baseline == null ? null
                    : run(baseline, "baseline", Files.createDirectories(dir.resolve("baseline")), ffmpeg, source, maxStreams, seconds, latency);
            List<Step> now = run(home, "this checkout", Files.createDirectories(dir.resolve("current")), ffmpeg, source, maxStreams,
                    seconds, latency);
            System.out.printf(Locale.ROOT, "%n%s-latency channels, 720p30 → 720p/480p/360p, %d s measured per step after %d s to "
                    + "settle; %d cores%n", latency, seconds, SETTLE.toSeconds(), Runtime.getRuntime().availableProcessors());
            if (before != null) {
                report("baseline", before);
            }
            report("this checkout", now);
            if (before != null) {
                compare(before, now);
            }
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One node of {@code home}: idle, then one stream more per step; the idle step first in the list. */
    private static List<Step> run(Path home, String label, Path dir, Ffmpeg ffmpeg, Path source, int maxStreams, int seconds,
                                  String latency) throws Exception {
        List<FfmpegJob> publishers = new ArrayList<>();
        System.out.println("starting ./castpipe of " + label + "…");
        try (CastpipeNode node = CastpipeNode.start(home, dir, Map.of())) {
            Thread.sleep(STARTED.toMillis());
            List<Step> steps = new ArrayList<>(List.of(measure(node, Map.of(), publishers, seconds)));
            Map<String, String> streams = new LinkedHashMap<>();
            for (int n = 1; n <= maxStreams; n++) {
                String channel = "capacity" + n;
                JsonNode created = node.createChannel(channel, latency);
                publishers.add(ffmpeg.command("publisher-" + n).args("-re", "-stream_loop", "-1", "-i", source.toString(),
                        "-c", "copy", "-f", "flv", node.rtmpUrl(created.get("streamKey").asText())).start());
                streams.put(channel, awaitStream(node, channel));
                Thread.sleep(SETTLE.toMillis());
                Step step = measure(node, streams, publishers, seconds);
                steps.add(step);
                System.out.printf(Locale.ROOT, "%s, %d stream(s): JVM %.2f cores, ladders %.2f, %d of %d on the configured preset, "
                        + "at most %.1f s behind%n", label, n, step.jvm(), step.ladders(), step.configured(), n, step.mostBehind());
                if (step.endBehind() > BEHIND_LIMIT) {
                    break;
                }
            }
            return steps;
        } finally {
            publishers.forEach(p -> p.kill("bench over"));
        }
    }

    /** The stream id of {@code channel} once it is live and its ladder has segments out. */
    private static String awaitStream(CastpipeNode node, String channel) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode live = node.getAsUser("/api/live");
            for (JsonNode s : live == null ? List.<JsonNode>of() : live) {
                if (channel.equals(s.path("channel").asText())
                        && CastpipeNode.body(node.url("/live/" + channel + "/360p/index.m3u8")).contains("#EXTINF")) {
                    return s.path("streamId").asText();
                }
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(channel + " did not go live within 90 s");
    }

    /** CPU over {@code seconds}, and every stream's ladder once a second meanwhile. */
    private static Step measure(CastpipeNode node, Map<String, String> streams, List<FfmpegJob> publishers, int seconds)
            throws InterruptedException {
        long publishersFrom = publishers.stream().mapToLong(p -> ProcessCpu.ticks(p.pid())).sum();
        ProcessCpu.Snapshot from = ProcessCpu.take(node.pid());
        double mostBehind = 0;
        Map<String, JsonNode> last = new LinkedHashMap<>();
        Map<String, Boolean> everShed = new LinkedHashMap<>();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < end) {
            for (Map.Entry<String, String> s : streams.entrySet()) {
                JsonNode stream = node.getAsUser("/api/streams/" + s.getValue());
                JsonNode ladder = stream == null ? null : stream.get("ladder");
                if (ladder != null && ladder.hasNonNull("preset")) {
                    last.put(s.getKey(), ladder);
                    mostBehind = Math.max(mostBehind, ladder.path("behindSeconds").asDouble());
                    everShed.merge(s.getKey(), ladder.path("shed").asBoolean(), Boolean::logicalOr);
                }
            }
            Thread.sleep(1000);
        }
        ProcessCpu.Snapshot to = ProcessCpu.take(node.pid());
        long publishersTo = publishers.stream().mapToLong(p -> ProcessCpu.ticks(p.pid())).sum();
        double endBehind = last.values().stream().mapToDouble(l -> l.path("behindSeconds").asDouble()).max().orElse(0);
        int shed = (int) everShed.values().stream().filter(b -> b).count();
        return new Step(streams.size(), ProcessCpu.ownCores(from, to), ProcessCpu.descendantCores(from, to),
                ProcessCpu.cores(publishersFrom, publishersTo, from, to), mostBehind, endBehind, streams.size() - shed, shed);
    }

    /** The steps of one node: the idle one first. */
    private static void report(String label, List<Step> all) {
        Step idle = all.get(0);
        List<Step> steps = all.subList(1, all.size());
        System.out.printf(Locale.ROOT, "%n%s: idle node, JVM %.2f cores%n%n", label, idle.jvm());
        System.out.println("| streams | JVM cores | JVM per stream (above idle) | ladders' ffmpeg cores | ffmpeg per stream "
                + "| publishers | never shed | shed | most behind s | behind at the end s |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Step s : steps) {
            System.out.printf(Locale.ROOT, "| %d | %.2f | %.3f | %.2f | %.2f | %.2f | %d | %d | %.1f | %.1f |%n", s.streams(),
                    s.jvm(), (s.jvm() - idle.jvm()) / s.streams(), s.ladders(), s.ladders() / s.streams(), s.publishers(),
                    s.configured(), s.shed(), s.mostBehind(), s.endBehind());
        }
        Step lastKept = null;
        for (Step s : steps) {
            if (s.endBehind() <= BEHIND_LIMIT) {
                lastKept = s;
            }
        }
        System.out.printf(Locale.ROOT, "%nkept in real time (ending at most %.0f s behind): %s%n", BEHIND_LIMIT,
                lastKept == null ? "none" : lastKept.streams() + " stream(s), " + lastKept.configured() + " never shed");
    }

    /** The JVM's cores, this checkout against the baseline, at each number of streams both measured. */
    private static void compare(List<Step> before, List<Step> now) {
        System.out.println();
        System.out.println("| streams | baseline JVM cores | this checkout | ratio |");
        System.out.println("| ---: | ---: | ---: | ---: |");
        for (int i = 0; i < Math.min(before.size(), now.size()); i++) {
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f× |%n", i == 0 ? "idle" : String.valueOf(now.get(i).streams()),
                    before.get(i).jvm(), now.get(i).jvm(), now.get(i).jvm() / before.get(i).jvm());
        }
    }
}
