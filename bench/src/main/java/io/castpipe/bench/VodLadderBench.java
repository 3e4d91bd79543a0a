package io.castpipe.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.castpipe.common.events.SourceInfo;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegLocator;
import io.castpipe.common.ffmpeg.FfmpegResult;
import io.castpipe.transcoder.vod.LadderCommand;
import io.castpipe.transcoder.vod.LadderPlanner;
import io.castpipe.transcoder.vod.Rung;

/**
 * CPU cost of a VOD ladder, in CPU seconds per second of media, three ways on the same source and
 * the same ladder (same sizes, bit rates, x264 preset, segment length):
 * <ol>
 *   <li>Castpipe: its one ffmpeg process (every rendition plus the storyboard sprites) and the poster;</li>
 *   <li>baseline (a): one ffmpeg process per rendition, each decoding the source again;</li>
 *   <li>baseline (b): a hand-written single ffmpeg command with split and {@code -var_stream_map}.</li>
 * </ol>
 * CPU time is ffmpeg's own {@code -benchmark} report (user + system).
 */
public final class VodLadderBench {
    private static final Pattern BENCH = Pattern.compile("bench: utime=([\\d.]+)s stime=([\\d.]+)s rtime=([\\d.]+)s");
    private static final int SEGMENT = 4;
    private static final String PRESET = "veryfast";

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path dir = Files.createTempDirectory("castpipe-bench");
        try (Ffmpeg ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofHours(1))) {
            Path source = dir.resolve("source.mp4");
            System.out.printf("making a %d s 1080p30 source…%n", seconds);
            ffmpeg.command("source").args("-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=" + seconds,
                    "-f", "lavfi", "-i", "sine=frequency=440:duration=" + seconds, "-c:v", "libx264", "-preset", "fast",
                    "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", source.toString()).run();
            SourceInfo info = new SourceInfo("mov", seconds, 1920, 1080, 0, 30, "h264", "yuv420p", "aac", 0, Files.size(source));
            List<Rung> rungs = LadderPlanner.plan(info);
            System.out.println("ladder: " + rungs.stream().map(Rung::name).toList() + ", x264 " + PRESET);

            double castpipe = castpipe(ffmpeg, dir, source, info, rungs);
            double perRendition = perRendition(ffmpeg, dir, source, rungs);
            double handWritten = handWritten(ffmpeg, dir, source, rungs);

            System.out.println();
            System.out.println("| way | CPU s | CPU s per media s | vs Castpipe |");
            System.out.println("| --- | ---: | ---: | ---: |");
            row("Castpipe (one process, ladder + storyboard, + poster)", castpipe, seconds, castpipe);
            row("(a) one ffmpeg per rendition", perRendition, seconds, castpipe);
            row("(b) hand-written single command (split + var_stream_map)", handWritten, seconds, castpipe);
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double castpipe(Ffmpeg ffmpeg, Path dir, Path source, SourceInfo info, List<Rung> rungs) throws Exception {
        Path out = dir.resolve("castpipe");
        for (Rung r : rungs) {
            Files.createDirectories(out.resolve(r.name()));
        }
        Files.createDirectories(out.resolve("thumbs"));
        double cpu = cpu(ffmpeg, "castpipe", LadderCommand.args(source, out, rungs, 30, true, SEGMENT, PRESET,
                LadderPlanner.storyboard(info)));
        cpu += cpu(ffmpeg, "poster", LadderCommand.posterArgs(source, out.resolve("thumbs/poster.jpg"), info.durationSeconds(),
                rungs.get(0)));
        return cpu;
    }

    private static double perRendition(Ffmpeg ffmpeg, Path dir, Path source, List<Rung> rungs) throws Exception {
        double total = 0;
        for (Rung r : rungs) {
            Path out = Files.createDirectories(dir.resolve("a").resolve(r.name()));
            List<String> a = new ArrayList<>(List.of("-y", "-i", source.toString(),
                    "-vf", "scale=" + r.width() + ":" + r.height(), "-c:a", "aac", "-b:a", "128k", "-ac", "2"));
            a.addAll(x264(r, ""));
            a.addAll(List.of("-f", "hls", "-hls_time", String.valueOf(SEGMENT), "-hls_playlist_type", "vod",
                    "-hls_segment_type", "fmp4", "-hls_segment_filename", out.resolve("seg-%d.m4s").toString(),
                    out.resolve("index.m3u8").toString()));
            total += cpu(ffmpeg, "a-" + r.name(), a);
        }
        return total;
    }

    private static double handWritten(Ffmpeg ffmpeg, Path dir, Path source, List<Rung> rungs) throws Exception {
        Path out = Files.createDirectories(dir.resolve("b"));
        StringBuilder graph = new StringBuilder("[0:v]split=").append(rungs.size());
        for (int i = 0; i < rungs.size(); i++) {
            graph.append("[in").append(i).append(']');
        }
        List<String> a = new ArrayList<>(List.of("-y", "-i", source.toString()));
        StringBuilder streamMap = new StringBuilder();
        for (int i = 0; i < rungs.size(); i++) {
            Rung r = rungs.get(i);
            graph.append(";[in").append(i).append("]scale=").append(r.width()).append(':').append(r.height())
                    .append("[out").append(i).append(']');
            a.addAll(List.of("-map", "[out" + i + "]", "-map", "0:a:0"));
            a.addAll(x264(r, ":" + i));
            a.addAll(List.of("-c:a:" + i, "aac", "-b:a:" + i, "128k", "-ac", "2"));
            streamMap.append(i == 0 ? "" : " ").append("v:").append(i).append(",a:").append(i);
        }
        a.addAll(3, List.of("-filter_complex", graph.toString()));
        a.addAll(List.of("-f", "hls", "-hls_time", String.valueOf(SEGMENT), "-hls_playlist_type", "vod",
                "-hls_segment_type", "fmp4", "-var_stream_map", streamMap.toString(),
                "-hls_segment_filename", out.resolve("%v-seg-%d.m4s").toString(), out.resolve("%v.m3u8").toString()));
        return cpu(ffmpeg, "b", a);
    }

    private static List<String> x264(Rung r, String stream) {
        int gop = 30 * SEGMENT;
        return List.of("-c:v" + stream, "libx264", "-preset" + stream, PRESET, "-b:v" + stream, r.videoKbps() + "k",
                "-maxrate" + stream, r.maxKbps() + "k", "-bufsize" + stream, 2 * r.videoKbps() + "k",
                "-g" + stream, String.valueOf(gop), "-keyint_min" + stream, String.valueOf(gop),
                "-sc_threshold" + stream, "0");
    }

    /** Runs ffmpeg with {@code -benchmark}; returns its user + system CPU seconds. */
    private static double cpu(Ffmpeg ffmpeg, String tag, List<String> args) {
        List<String> a = new ArrayList<>(List.of("-benchmark"));
        a.addAll(args);
        FfmpegResult result;
        try {
            result = ffmpeg.command(tag).args(a).run();
        } catch (io.castpipe.common.ffmpeg.FfmpegException e) {
            e.stderrTail().stream().filter(l -> !l.startsWith("[libx264") && !l.startsWith("frame=")).forEach(System.err::println);
            throw e;
        }
        for (String line : result.stderrTail()) {
            Matcher m = BENCH.matcher(line);
            if (m.find()) {
                double cpu = Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(2));
                System.out.printf(Locale.ROOT, "  %-12s %7.1f CPU s in %6.1f s%n", tag, cpu, Double.parseDouble(m.group(3)));
                return cpu;
            }
        }
        throw new IllegalStateException("ffmpeg printed no -benchmark line for " + tag + ": " + result.stderrTail());
    }

    private static void row(String name, double cpu, int seconds, double castpipe) {
        System.out.printf(Locale.ROOT, "| %s | %.1f | %.2f | %.2f× |%n", name, cpu, cpu / seconds, cpu / castpipe);
    }
}
