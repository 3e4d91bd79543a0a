package io.castpipe.transcoder.vod;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.castpipe.packager.thumbs.Storyboard;

/**
 * The one ffmpeg command that makes a whole ladder: the source is decoded once, brought to a
 * constant frame rate and 8-bit 4:2:0, split, and each branch scaled and encoded into its own
 * fMP4 HLS rendition; one more branch becomes the storyboard's sprite sheets. Keyframes are
 * forced at every segment boundary, at the same instants in every rendition, so players can
 * switch between them at any segment.
 */
public final class LadderCommand {
    public static final String SPRITE_PREFIX = "sprite-";

    private LadderCommand() {
    }

    public static List<String> args(Path source, Path outDir, List<Rung> rungs, double frameRate, boolean audio,
                             int segmentSeconds, String preset, Storyboard storyboard) {
        String fps = String.format(Locale.ROOT, "%.3f", frameRate);
        int gop = (int) Math.round(frameRate * segmentSeconds);
        StringBuilder graph = new StringBuilder("[0:v]fps=").append(fps).append(",format=yuv420p,split=")
                .append(rungs.size() + 1);
        for (int i = 0; i < rungs.size(); i++) {
            graph.append("[s").append(i).append(']');
        }
        graph.append("[sb]");
        for (int i = 0; i < rungs.size(); i++) {
            Rung r = rungs.get(i);
            graph.append(";[s").append(i).append("]scale=").append(r.width()).append(':').append(r.height())
                    .append(",setsar=1[v").append(i).append(']');
        }
        graph.append(";[sb]fps=1/").append(formatSeconds(storyboard.intervalSeconds())).append(",scale=")
                .append(storyboard.tileWidth()).append(':').append(storyboard.tileHeight()).append(",setsar=1,tile=")
                .append(storyboard.columns()).append('x').append(storyboard.rows()).append("[thumbs]");

        List<String> a = new ArrayList<>(List.of("-y"));
        a.addAll(UploadInput.of(source));
        a.addAll(List.of("-filter_complex", graph.toString()));
        for (int i = 0; i < rungs.size(); i++) {
            Rung r = rungs.get(i);
            Path dir = outDir.resolve(r.name());
            a.addAll(List.of("-map", "[v" + i + "]"));
            if (audio) {
                a.addAll(List.of("-map", "0:a:0", "-c:a", "aac", "-b:a", r.audioKbps() + "k", "-ac", "2"));
            }
            a.addAll(List.of("-c:v", "libx264", "-preset", preset, "-profile:v", "high",
                    "-b:v", r.videoKbps() + "k", "-maxrate", r.maxKbps() + "k", "-bufsize", (2 * r.videoKbps()) + "k",
                    "-g", String.valueOf(gop), "-keyint_min", String.valueOf(gop), "-sc_threshold", "0",
                    "-force_key_frames", "expr:gte(t,n_forced*" + segmentSeconds + ")",
                    "-f", "hls", "-hls_time", String.valueOf(segmentSeconds), "-hls_playlist_type", "vod",
                    "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4",
                    "-hls_flags", "independent_segments",
                    "-hls_segment_filename", dir.resolve("seg-%d.m4s").toString(), dir.resolve("index.m3u8").toString()));
        }
        a.addAll(List.of("-map", "[thumbs]", "-q:v", "5", "-f", "image2",
                outDir.resolve("thumbs").resolve(SPRITE_PREFIX + "%d.jpg").toString()));
        return a;
    }

    /** A single frame from a tenth of the way in (at most 30 s), at the top rung's size. */
    public static List<String> posterArgs(Path source, Path poster, double durationSeconds, Rung top) {
        double at = Math.min(durationSeconds * 0.1, 30);
        List<String> a = new ArrayList<>(List.of("-y", "-ss", formatSeconds(at)));
        a.addAll(UploadInput.of(source));
        a.addAll(List.of("-frames:v", "1", "-vf", "scale=" + top.width() + ":" + top.height() + ",setsar=1", "-q:v", "3",
                poster.toString()));
        return a;
    }

    private static String formatSeconds(double s) {
        return String.format(Locale.ROOT, "%.3f", s);
    }
}
