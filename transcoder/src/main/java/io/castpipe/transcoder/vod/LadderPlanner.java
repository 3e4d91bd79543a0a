package io.castpipe.transcoder.vod;

import java.util.ArrayList;
import java.util.List;

import io.castpipe.common.events.SourceInfo;
import io.castpipe.packager.thumbs.Storyboard;

/**
 * Plans the renditions of a source, modelled on Apple's HLS authoring ladder: 1080p at about
 * 6 Mb/s, 720p 3 Mb/s, 480p 1.4 Mb/s, 360p 0.7 Mb/s, AAC at 128 kb/s. Rungs are named by the
 * picture's short side so portrait videos get the same ladder turned on its side. Never upscales:
 * a source smaller than the lowest rung gets one rendition at its own size.
 */
public final class LadderPlanner {
    private static final int[][] RUNGS = {{1080, 6000}, {720, 3000}, {480, 1400}, {360, 700}};
    private static final int AUDIO_KBPS = 128;
    private static final int STORYBOARD_MAX_THUMBS = 200;
    static final double MAX_FRAME_RATE = 60;
    static final double DEFAULT_FRAME_RATE = 30;

    private LadderPlanner() {
    }

    public static List<Rung> plan(SourceInfo source) {
        int shortSide = Math.min(source.width(), source.height());
        boolean highFrameRate = outputFrameRate(source) > 31;
        List<Rung> rungs = new ArrayList<>();
        for (int[] r : RUNGS) {
            if (r[0] <= shortSide) {
                int kbps = highFrameRate ? r[1] * 3 / 2 : r[1];
                rungs.add(sized(source, r[0], kbps));
            }
        }
        if (rungs.isEmpty()) {
            int even = shortSide - shortSide % 2;
            // Bit rate in proportion to pixels against the 360p rung, with a floor that still looks like video.
            int kbps = Math.max(150, (int) (700L * even * even / (360 * 360)));
            rungs.add(sized(source, even, kbps));
        }
        return rungs;
    }

    /** Thumbnails every second, or further apart so that a long video has at most 200; the long side is 160 px. */
    public static Storyboard storyboard(SourceInfo info) {
        double interval = Math.max(1, Math.ceil(info.durationSeconds() / STORYBOARD_MAX_THUMBS));
        boolean portrait = info.height() > info.width();
        int shortSide = (int) Math.round(160.0 * Math.min(info.width(), info.height()) / Math.max(info.width(), info.height()));
        shortSide += shortSide % 2;
        return new Storyboard(interval, portrait ? shortSide : 160, portrait ? 160 : shortSide, 10, 10);
    }

    /** Variable or unknown frame rates become constant; above 60 fps is halved until it fits. */
    public static double outputFrameRate(SourceInfo source) {
        double fps = source.frameRate();
        if (fps <= 0 || fps > 1000) {
            return DEFAULT_FRAME_RATE;
        }
        while (fps > MAX_FRAME_RATE) {
            fps /= 2;
        }
        return fps;
    }

    private static Rung sized(SourceInfo source, int shortSide, int kbps) {
        boolean portrait = source.height() > source.width();
        int longSide = even((double) shortSide * Math.max(source.width(), source.height())
                / Math.min(source.width(), source.height()));
        int width = portrait ? shortSide : longSide;
        int height = portrait ? longSide : shortSide;
        return new Rung(shortSide + "p", width, height, kbps, source.audioCodec() == null ? 0 : AUDIO_KBPS);
    }

    private static int even(double v) {
        int n = (int) Math.round(v);
        return n + (n % 2);
    }
}
