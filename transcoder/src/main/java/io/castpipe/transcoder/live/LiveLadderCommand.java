package io.castpipe.transcoder.live;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.castpipe.transcoder.vod.Rung;

/**
 * The one ffmpeg process of a live stream: FLV on standard input, decoded once, split, and each
 * rung encoded for low delay (x264 {@code zerolatency}: no B-frames, no lookahead) into
 * fragmented MP4 written to its own loopback TCP socket, where the packager reads it. Keyframes
 * are forced at every segment boundary in every rung, on a grid a given phase into the first
 * interval (so that a second ffmpeg started mid-stream has its keyframes where the first one
 * has); fragments close at each keyframe and
 * after {@code fragmentMicros}, so the packager sees media as soon as it is encoded. A
 * {@link Rung#isSource() source} rung, and any rung named copied, is the input's audio and video
 * copied as they are.
 */
final class LiveLadderCommand {
    static final long PROBE_MICROS = 500_000;
    private LiveLadderCommand() {
    }

    /** @param outputs where each rung goes, in the rungs' order */
    static List<String> args(LadderEncoding e, List<String> outputs) {
        List<Rung> rungs = e.rungs();
        if (outputs.size() != rungs.size()) {
            throw new IllegalArgumentException(outputs.size() + " outputs for " + rungs.size() + " rungs");
        }
        String fps = String.format(Locale.ROOT, "%.3f", e.frameRate());
        int keyframeSeconds = e.keyframeSeconds();
        long keyframePhaseMs = e.keyframePhaseMs();
        int gop = (int) Math.round(e.frameRate() * keyframeSeconds);
        List<Rung> encoded = rungs.stream().filter(r -> !e.copies(r)).toList();
        StringBuilder graph = new StringBuilder("[0:v]fps=").append(fps).append(",format=yuv420p,split=").append(encoded.size());
        for (int i = 0; i < encoded.size(); i++) {
            graph.append("[s").append(i).append(']');
        }
        for (int i = 0; i < encoded.size(); i++) {
            Rung r = encoded.get(i);
            graph.append(";[s").append(i).append("]scale=").append(r.width()).append(':').append(r.height())
                    .append(",setsar=1[v").append(i).append(']');
        }
        // No "-fflags +nobuffer": it drops the media read while ffmpeg probes the input, which
        // cost the first second or so of every stream (and of the copied source all of it).
        // Half a second of probing is enough: the codec configuration comes before the first
        // frame. ffmpeg's default (5 s) held back a stream's first output by 1.4 s with audio, 5 s
        // without, at every start and takeover.
        List<String> a = new ArrayList<>(List.of("-protocol_whitelist", "pipe", "-f", "flv",
                "-analyzeduration", String.valueOf(PROBE_MICROS), "-i", "pipe:0"));
        if (!encoded.isEmpty()) {
            a.addAll(List.of("-filter_complex", graph.toString()));
        }
        String fragments = String.valueOf(e.fragmentMicros());
        String keyframes = keyframePhaseMs == 0 ? "expr:gte(t,n_forced*" + keyframeSeconds + ")"
                : String.format(Locale.ROOT, "expr:gte(t,n_forced*%d-%.3f)", keyframeSeconds, keyframePhaseMs / 1000.0);
        for (int i = 0, v = 0; i < rungs.size(); i++) {
            Rung r = rungs.get(i);
            if (e.copies(r)) {
                a.addAll(List.of("-map", "0:v:0"));
                if (e.audio()) {
                    a.addAll(List.of("-map", "0:a:0"));
                }
                a.addAll(List.of("-c", "copy", "-f", "mp4", "-movflags", "+frag_keyframe+empty_moov+default_base_moof",
                        "-frag_duration", fragments, outputs.get(i)));
                continue;
            }
            a.addAll(List.of("-map", "[v" + v++ + "]"));
            if (e.audio()) {
                a.addAll(List.of("-map", "0:a:0", "-c:a", "aac", "-b:a", r.audioKbps() + "k", "-ac", "2"));
            }
            a.addAll(List.of("-c:v", "libx264", "-preset", e.preset(), "-tune", "zerolatency", "-profile:v", "high",
                    "-b:v", r.videoKbps() + "k", "-maxrate", r.maxKbps() + "k", "-bufsize", r.videoKbps() + "k",
                    "-g", String.valueOf(gop), "-keyint_min", String.valueOf(gop), "-sc_threshold", "0",
                    "-force_key_frames", keyframes,
                    "-f", "mp4", "-movflags", "+frag_keyframe+empty_moov+default_base_moof",
                    "-frag_duration", fragments, outputs.get(i)));
        }
        return a;
    }
}
