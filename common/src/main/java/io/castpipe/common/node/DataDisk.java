package io.castpipe.common.node;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this node can write its working files (downloads, ffmpeg's output) where it keeps
 * them: the {@code /readyz} probe of the roles that do, and what a failed job asks before it
 * counts the failure as its own.
 */
public final class DataDisk {
    /** Less free than this and a ladder cannot be made: the next job would fail half-way. */
    static final long MIN_FREE_BYTES = 64L << 20;
    /**
     * The probe writes one byte this far into a new file: one block on the disk (the file is
     * sparse), yet refused as a large file would be, by a full disk or a file-size limit.
     */
    static final long PROBE_OFFSET = 64L << 20;

    private DataDisk() {
    }

    /** @throws IOException saying why {@code dir} cannot take a job's files now */
    public static void check(Path dir) throws IOException {
        Files.createDirectories(dir);
        long free = Files.getFileStore(dir).getUsableSpace();
        if (free < MIN_FREE_BYTES) {
            throw new IOException(dir + " has " + (free >> 20) + " MiB free; a job needs at least " + (MIN_FREE_BYTES >> 20));
        }
        Path probe = dir.resolve(".disk-probe"); // one name: a probe cut short leaves no litter
        try (RandomAccessFile file = new RandomAccessFile(probe.toFile(), "rw")) {
            file.seek(PROBE_OFFSET);
            file.write(1);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    public static boolean writable(Path dir) {
        try {
            check(dir);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
