package io.castpipe.api.uploads;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.util.List;

import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.MultipartUpload;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.common.storage.ObjectStoreException;

/**
 * Turns the bytes of a tus upload into an S3 multipart upload. Bytes go to the tail file as
 * they arrive; each time the tail fills a part it is put to S3 and recorded with its ETag. So
 * the offset — recorded parts plus the tail — is every byte received, even when the connection
 * drops mid-request, and no more than one part per upload is ever held, on disk, not in memory.
 */
final class PartAssembler {
    private static final int BUFFER = 64 * 1024;

    private final ObjectStore store;
    private final UploadRepository uploads;
    private final TailFiles tails;

    PartAssembler(ObjectStore store, UploadRepository uploads, TailFiles tails) {
        this.store = store;
        this.uploads = uploads;
        this.tails = tails;
    }

    /** What came of one request body. */
    record Appended(long offset, boolean clientGone, boolean overflow) {
    }

    /** Bytes of the upload the server holds: its recorded parts and, on this node, the tail. */
    long offset(Upload u) throws IOException {
        if (u.completed()) {
            return u.length();
        }
        List<StoredPart> parts = uploads.parts(u.id());
        return bytes(parts) + tails.size(u.id(), parts.size() + 1);
    }

    /**
     * Appends {@code body} at the current offset. Stops at the upload's length (the rest is refused,
     * {@code overflow}) or when the client goes away ({@code clientGone}); either way everything
     * read so far is kept.
     */
    Appended append(Upload u, InputStream body) throws IOException {
        List<StoredPart> parts = uploads.parts(u.id());
        tails.deleteBefore(u.id(), parts.size() + 1);
        Tail tail = new Tail(u, parts.size() + 1);
        long offset = bytes(parts) + tail.size;
        boolean clientGone = false;
        boolean overflow = false;
        byte[] buffer = new byte[BUFFER];
        try {
            while (true) {
                int n;
                try {
                    n = body.read(buffer);
                } catch (IOException e) {
                    clientGone = true;
                    break;
                }
                if (n < 0) {
                    break;
                }
                int take = (int) Math.min(n, u.length() - offset);
                overflow = take < n;
                for (int done = 0; done < take; ) {
                    if (tail.size == u.partSize()) {
                        tail = tail.putAndNext(offset);
                    }
                    int chunk = (int) Math.min(take - done, u.partSize() - tail.size);
                    tail.write(buffer, done, chunk);
                    done += chunk;
                    offset += chunk;
                }
                // A full part goes to S3 at once, unless it is the last, which finish() puts.
                if (tail.size == u.partSize() && offset < u.length()) {
                    tail = tail.putAndNext(offset);
                }
                if (overflow) {
                    break;
                }
            }
        } finally {
            tail.close();
            uploads.setOffset(u.id(), offset);
        }
        return new Appended(offset, clientGone, overflow);
    }

    /** With every byte received: puts the tail as the last part and completes the S3 object. */
    void finish(Upload u) throws IOException {
        List<StoredPart> parts = uploads.parts(u.id());
        int last = parts.size() + 1;
        long tailSize = tails.size(u.id(), last);
        if (tailSize > 0) {
            putPart(u, last, tailSize, u.length());
            parts = uploads.parts(u.id());
        }
        String key = ObjectKeys.uploadSource(u.videoId());
        try {
            store.resumeMultipart(key, u.s3UploadId(), parts.stream().map(StoredPart::toUploadedPart).toList()).complete();
        } catch (ObjectStoreException e) {
            // A node that stopped after S3 completed the object but before the database said so.
            boolean alreadyComplete = store.head(key).map(info -> info.size() == u.length()).orElse(false);
            if (!alreadyComplete) {
                throw e;
            }
        }
        uploads.markCompleted(u.id(), u.length());
        tails.deleteAll(u.id());
    }

    private void putPart(Upload u, int partNumber, long size, long offsetAfter) throws IOException {
        MultipartUpload upload = store.resumeMultipart(ObjectKeys.uploadSource(u.videoId()), u.s3UploadId(), List.of());
        try (InputStream in = Files.newInputStream(tails.path(u.id(), partNumber))) {
            upload.putPart(partNumber, in, size);
        }
        String etag = upload.parts().get(0).etag();
        uploads.addPart(u.id(), new StoredPart(partNumber, size, etag), offsetAfter);
        tails.delete(u.id(), partNumber);
    }

    /** The open tail file of one part. */
    private final class Tail {
        private final Upload upload;
        private final int partNumber;
        private final FileChannel channel;
        private long size;

        Tail(Upload upload, int partNumber) throws IOException {
            this.upload = upload;
            this.partNumber = partNumber;
            this.channel = tails.openForAppend(upload.id(), partNumber);
            this.size = channel.size();
        }

        void write(byte[] bytes, int offset, int length) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(bytes, offset, length);
            while (b.hasRemaining()) {
                channel.write(b);
            }
            size += length;
        }

        /** Puts this full part to S3 and opens the next part's tail. */
        Tail putAndNext(long offsetAfter) throws IOException {
            close();
            putPart(upload, partNumber, size, offsetAfter);
            return new Tail(upload, partNumber + 1);
        }

        void close() throws IOException {
            if (channel.isOpen()) {
                channel.force(false);
                channel.close();
            }
        }
    }

    private static long bytes(List<StoredPart> parts) {
        return parts.stream().mapToLong(StoredPart::sizeBytes).sum();
    }
}
