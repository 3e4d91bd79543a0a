package io.castpipe.api.uploads;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * The part of a tus upload that has arrived but does not yet fill an S3 part, one file per upload
 * and part number ({@code ID.partN}) in this node's data folder. Naming the file after its part
 * number keeps the offset right at every instant: once part N is recorded in the database, the
 * file for N no longer counts, even before it is deleted.
 */
final class TailFiles {
    private static final String SEPARATOR = ".part";

    private final Path dir;

    TailFiles(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the upload folder " + dir, e);
        }
    }

    Path path(String uploadId, int partNumber) {
        return dir.resolve(uploadId + SEPARATOR + partNumber);
    }

    long size(String uploadId, int partNumber) throws IOException {
        Path p = path(uploadId, partNumber);
        return Files.exists(p) ? Files.size(p) : 0;
    }

    FileChannel openForAppend(String uploadId, int partNumber) throws IOException {
        return FileChannel.open(path(uploadId, partNumber),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    void delete(String uploadId, int partNumber) throws IOException {
        Files.deleteIfExists(path(uploadId, partNumber));
    }

    /** Removes files of parts before {@code partNumber}: left over when a node stopped between recording and deleting. */
    void deleteBefore(String uploadId, int partNumber) throws IOException {
        for (int n = partNumber - 1; n >= 1 && Files.exists(path(uploadId, n)); n--) {
            delete(uploadId, n);
        }
    }

    void deleteAll(String uploadId) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, uploadId + SEPARATOR + "*")) {
            for (Path p : files) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("deleting the tail files of upload " + uploadId, e);
        }
    }

    /** Ids of the uploads that have a tail file on this node. */
    Set<String> uploadIds() {
        Set<String> ids = new HashSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SEPARATOR + "*")) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                ids.add(name.substring(0, name.indexOf(SEPARATOR)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + dir, e);
        }
        return ids;
    }
}
