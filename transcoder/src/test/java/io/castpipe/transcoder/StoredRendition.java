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
