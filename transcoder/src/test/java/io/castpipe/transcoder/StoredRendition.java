package io.castpipe.transcoder;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegException;
import io.castpipe.common.storage.ObjectInfo;
import io.castpipe.common.storage.ObjectStore;

/** A rendition the transcoder put in storage, brought back and played through by ffmpeg. */
public final class StoredRendition {
    private StoredRendition() {
    }

    /** Copies every object under {@code prefix} (a folder, ending in '/') into {@code into}. */
    public static Path download(ObjectStore store, String prefix, Path into) throws Exception {
        Path local = Files.createDirectories(into);
        for (ObjectInfo o : store.list(prefix)) {
            try (InputStream in = store.get(o.key())) {
                Files.copy(in, local.resolve(o.key().substring(o.key().lastIndexOf('/') + 1)));
            }
        }
        return local;
    }

    /**
     * Decodes each run of segments between discontinuities on its own, as a player starts its
     * decoder again at a discontinuity with the init segment named after it (ffmpeg's HLS reader
     * keeps the first one's decoder); returns the seconds decoded in all.
     */
    public static double decodedSecondsAcrossDiscontinuities(Ffmpeg ffmpeg, Path playlist) throws Exception {
        String[] runs = Files.readString(playlist).split("#EXT-X-DISCONTINUITY\n");
        String header = runs[0].substring(0, runs[0].indexOf("#EXT-X-MAP"));
        double seconds = 0;
        for (int i = 0; i < runs.length; i++) {
            String run = (i == 0 ? "" : header) + runs[i];
            if (!run.contains("#EXT-X-ENDLIST")) {
                run += "#EXT-X-ENDLIST\n";
            }
            if (!run.contains("#EXT-X-MAP")) {
                throw new AssertionError("run " + i + " after a discontinuity names no init segment:\n" + run);
            }
            Path part = playlist.resolveSibling("run-" + i + ".m3u8");
            Files.writeString(part, run);
            seconds += decodedSeconds(ffmpeg, part);
        }
        return seconds;
    }

    /** Decodes every frame, failing on the first error; returns how many seconds of media it decoded. */
    public static double decodedSeconds(Ffmpeg ffmpeg, Path playlist) {
        AtomicLong lastMs = new AtomicLong();
        try {
            ffmpeg.command("decode").args("-v", "error", "-xerror", "-i", playlist.toString(), "-f", "null", "-")
                    .onProgress(p -> lastMs.set(p.outTime().toMillis()))
                    .run();
        } catch (FfmpegException e) {
            throw new AssertionError("decoding " + playlist + " failed: " + e.getMessage());
        }
        return lastMs.get() / 1000.0;
    }
}
