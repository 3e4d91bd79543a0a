package io.castpipe.packager.cmaf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import io.castpipe.common.TestServices;
import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegLocator;

/**
 * Real fragmented MP4 from ffmpeg, written the way the live transcoder will write it: 10 s of
 * 30 fps video with a keyframe every second, fragments of at most 0.5 s starting at every
 * keyframe, with or without AAC audio in the same moof.
 */
public final class Fmp4Fixtures {
    private static Ffmpeg ffmpeg;
    private static Path dir;
    private static byte[] muxed;
    private static byte[] videoOnly;

    private Fmp4Fixtures() {
    }

    public static synchronized Ffmpeg ffmpeg() throws IOException {
        if (ffmpeg == null) {
            dir = TestServices.tempDir("packager");
            ffmpeg = new Ffmpeg(FfmpegLocator.locate(Optional.empty(), dir), Duration.ofMinutes(2));
        }
        return ffmpeg;
    }

    /** 10 s, video (H.264, keyframe every 1 s) and audio (AAC) muxed in each fragment. */
    public static synchronized byte[] muxed() throws IOException {
        if (muxed == null) {
            muxed = make("muxed.mp4", true);
        }
        return muxed;
    }

    /** 10 s of video only. */
    public static synchronized byte[] videoOnly() throws IOException {
        if (videoOnly == null) {
            videoOnly = make("video.mp4", false);
        }
        return videoOnly;
    }

    private static byte[] make(String name, boolean audio) throws IOException {
        Ffmpeg f = ffmpeg();
        Path out = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of("-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=10"));
        if (audio) {
            args.addAll(List.of("-f", "lavfi", "-i", "sine=duration=10"));
        }
        args.addAll(List.of("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-g", "30", "-keyint_min", "30", "-sc_threshold", "0"));
        if (audio) {
            args.addAll(List.of("-c:a", "aac", "-b:a", "96k"));
        }
        args.addAll(List.of("-f", "mp4", "-movflags", "+frag_keyframe+empty_moov+default_base_moof",
                "-frag_duration", "500000", out.toString()));
        f.command("fixture-" + name).args(args).run();
        return Files.readAllBytes(out);
    }

    /** Feeds {@code bytes} to {@code parser} in random pieces of 1 to {@code maxChunk} bytes. */
    public static void feedInChunks(FragmentParser parser, byte[] bytes, long seed, int maxChunk) throws Fmp4FormatException {
        Random random = new Random(seed);
        int at = 0;
        while (at < bytes.length) {
            int n = Math.min(bytes.length - at, 1 + random.nextInt(maxChunk));
            parser.feed(bytes, at, n);
            at += n;
        }
        parser.end();
    }

    /** Everything a parser reports, in order. */
    public static final class Collected implements FragmentParser.Listener {
        public final List<Fmp4Init> inits = new ArrayList<>();
        public final List<Fragment> fragments = new ArrayList<>();

        @Override
        public void onInit(Fmp4Init init) {
            inits.add(init);
        }

        @Override
        public void onFragment(Fragment fragment) {
            fragments.add(fragment);
        }
    }

    public static Collected parse(byte[] bytes, long seed, int maxChunk) throws Fmp4FormatException {
        Collected c = new Collected();
        feedInChunks(new FragmentParser(c), bytes, seed, maxChunk);
        return c;
    }
}
