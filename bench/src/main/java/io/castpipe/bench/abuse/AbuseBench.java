package io.castpipe.bench.abuse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.bench.ScratchDirectory;
import io.castpipe.bench.live.CastpipeNode;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegJob;
import io.castpipe.common.ffmpeg.FfmpegLocator;

/**
 * {@code bench/run abuse [seconds]}: one {@code ./castpipe} on its default limits, a real
 * publisher (ffmpeg, 640x360 30 fps over RTMP to a low-latency channel) and a viewer reloading a
 * rendition, measured first alone and then while every kind of hostile client of
 * {@link AbuseRun} holds what the node lets it hold; before that, each kind alone, for the memory
 * the node gives it per connection. Prints the viewer's figures side by side
 * (reload time and how far behind the wall clock the newest media is: first, p50, p90, max), the
 * node's live heap before, during and after, memory per hostile connection, and what became of
 * each kind of client (refused at once, closed later and after how long, still held).
 */
public final class AbuseBench {
    private static final String CHANNEL = "abuse";

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        Path home = Path.of(System.getProperty("castpipe.home", "."));
        try (ScratchDirectory dir = new ScratchDirectory("castpipe-abuse");
             CastpipeNode node = CastpipeNode.start(home, Files.createDirectories(dir.path.resolve("node")), Map.of());
             Ffmpeg ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir.path), Duration.ofHours(2))) {
            JsonNode channel = node.createChannel(CHANNEL, "low");
            FfmpegJob publisher = ffmpeg.command("publisher").args(publishArgs(node.rtmpUrl(channel.get("streamKey").asText())))
                    .start();
            String playlistPath = "/live/" + CHANNEL + "/360p/index.m3u8";
            awaitPlaylist(node.url(playlistPath), Duration.ofSeconds(90));
            // Each phase stalls uploads of its own: a tus upload once written to is at another offset.
            AbuseRun.Uploads forEachKind = AbuseRun.prepareUploads(node.url(""), node.userToken(), 8);
            AbuseRun.Uploads forAll = AbuseRun.prepareUploads(node.url(""), node.userToken(), 16);
            AbuseRun.Target eachAlone = new AbuseRun.Target("127.0.0.1", node.httpPort, node.rtmpPort, node.chatPort,
                    node.userToken(), CHANNEL, forEachKind.videoIds(), forEachKind.tusPaths(), playlistPath);
            AbuseRun.Target target = new AbuseRun.Target("127.0.0.1", node.httpPort, node.rtmpPort, node.chatPort,
                    node.userToken(), CHANNEL, forAll.videoIds(), forAll.tusPaths(), playlistPath);
            AbuseRun.Sizes sizes = AbuseRun.Sizes.standard();
            try (LegitViewer viewer = new LegitViewer(node.url(playlistPath))) {
                Thread.sleep(5000);
                System.out.println("each kind alone: what the node holds for it one second after it connected");
                long base = NodeHeap.liveBytes(node.pid());
                for (AbuseRun.Kind kind : AbuseRun.Kind.values()) {
                    base = perKind(node, eachAlone, sizes, kind, base);
                }
                System.out.printf("%nlive; measuring %d s without hostile clients, then %d s with all of them at once…%n",
                        seconds, seconds);
                long heapBefore = NodeHeap.liveBytes(node.pid());
                Instant quiet = Instant.now();
                Thread.sleep(seconds * 1000L);
                Instant attackStart = Instant.now();
                long launchMillis;
                long heapDuring;
                List<Tally> tallies;
                try (Attacks attacks = AbuseRun.launch(target, sizes)) {
                    launchMillis = Duration.between(attackStart, Instant.now()).toMillis();
                    Thread.sleep(Math.max(0, seconds * 1000L - launchMillis) / 2);
                    heapDuring = NodeHeap.liveBytes(node.pid());
                    Thread.sleep(Math.max(0, seconds * 1000L - launchMillis) / 2);
                    tallies = attacks.tallies();
                }
                Instant attackEnd = Instant.now();
                Thread.sleep(10_000);
                long heapAfter = NodeHeap.liveBytes(node.pid());
                List<LegitViewer.Sample> alone = between(viewer.samplesSince(quiet), quiet, attackStart);
                List<LegitViewer.Sample> attacked = between(viewer.samplesSince(attackStart), attackStart, attackEnd);
                report(alone, attacked, tallies, launchMillis, heapBefore, heapDuring, heapAfter, viewer.failures(),
                        ProcessHandle.of(publisher.pid()).map(ProcessHandle::isAlive).orElse(false), node.isAlive());
            }
            publisher.kill("measured");
        }
    }

    /** Launches one kind alone, measures the live heap a second later, lets it go; returns the heap after. */
    private static long perKind(CastpipeNode node, AbuseRun.Target target, AbuseRun.Sizes sizes, AbuseRun.Kind kind,
                                long before) throws Exception {
        long during;
        List<Tally> tallies;
        try (Attacks attacks = new Attacks()) {
            AbuseRun.launch(attacks, target, sizes, kind);
            Thread.sleep(1000);
            during = NodeHeap.liveBytes(node.pid());
            tallies = attacks.tallies();
        }
        int opened = tallies.stream().mapToInt(Tally::opened).sum();
        int held = tallies.stream().mapToInt(Tally::stillOpen).sum();
        System.out.printf("  %-18s opened %5d, held after 1 s %5d, live heap %+8.1f MiB, %8.1f KiB per connection opened%n",
                kind, opened, held, (during - before) / 1048576.0, (during - before) / 1024.0 / Math.max(1, opened));
        Thread.sleep(3000);
        return NodeHeap.liveBytes(node.pid());
    }

    private static List<String> publishArgs(String url) {
        return List.of("-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30", "-b:v", "800k",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k", "-f", "flv", url);
    }

    private static void awaitPlaylist(String url, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        while (System.nanoTime() < deadline) {
            try {
                var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().split("#EXTINF").length > 4) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("no live playlist at " + url + " within " + limit);
    }

    private static List<LegitViewer.Sample> between(List<LegitViewer.Sample> samples, Instant from, Instant to) {
        return samples.stream().filter(s -> !s.at().isBefore(from) && s.at().isBefore(to)).toList();
    }

    private static void report(List<LegitViewer.Sample> alone, List<LegitViewer.Sample> attacked, List<Tally> tallies,
                               long launchMillis, long heapBefore, long heapDuring, long heapAfter, int viewerFailures,
                               boolean publisherAlive, boolean nodeAlive) {
        System.out.println();
        System.out.println("viewer (127.0.0.1, reload every 0.5 s)        alone      under attack   ratio");
        row("reload time, first (ms)", alone, attacked, s -> s.requestMillis(), 0);
        row("reload time, p50 (ms)", alone, attacked, s -> s.requestMillis(), 50);
        row("reload time, p90 (ms)", alone, attacked, s -> s.requestMillis(), 90);
        row("reload time, max (ms)", alone, attacked, s -> s.requestMillis(), 100);
        row("newest media behind, first (ms)", alone, attacked, s -> s.behindMillis(), 0);
        row("newest media behind, p50 (ms)", alone, attacked, s -> s.behindMillis(), 50);
        row("newest media behind, p90 (ms)", alone, attacked, s -> s.behindMillis(), 90);
        row("newest media behind, max (ms)", alone, attacked, s -> s.behindMillis(), 100);
        System.out.printf("%-40s %10d %14d%n", "new segments fetched", alone.stream().filter(LegitViewer.Sample::newSegment).count(),
                attacked.stream().filter(LegitViewer.Sample::newSegment).count());
        System.out.printf("viewer failures %d; publisher still publishing: %s; node alive: %s%n", viewerFailures,
                publisherAlive, nodeAlive);
        int held = tallies.stream().mapToInt(Tally::opened).sum();
        System.out.printf("%nnode live heap: before %d MiB, during %d MiB, after %d MiB; %d hostile connections opened in %d ms, "
                        + "%.1f KiB of heap per connection opened%n", heapBefore >> 20, heapDuring >> 20, heapAfter >> 20, held,
                launchMillis, (heapDuring - heapBefore) / 1024.0 / Math.max(1, held));
        System.out.println();
        for (Tally t : tallies) {
            System.out.println(t.summary());
        }
    }

    private static void row(String name, List<LegitViewer.Sample> a, List<LegitViewer.Sample> b,
                            ToLongFunction<LegitViewer.Sample> f, int percentile) {
        long x = figure(a, f, percentile);
        long y = figure(b, f, percentile);
        System.out.printf("%-40s %10d %14d   %5.2f%n", name, x, y, x <= 0 ? Double.NaN : (double) y / x);
    }

    /** Percentile 0 is the first sample, as it came. */
    static long figure(List<LegitViewer.Sample> samples, ToLongFunction<LegitViewer.Sample> f, int percentile) {
        long[] values = samples.stream().mapToLong(f).filter(v -> v >= 0).toArray();
        if (values.length == 0) {
            return -1;
        }
        if (percentile == 0) {
            return values[0];
        }
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
