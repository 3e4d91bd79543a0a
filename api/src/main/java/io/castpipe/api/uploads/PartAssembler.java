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

    /** Bytes of the upload the server holds: its recorded parts and, on this node, the tail. */
    long offset(Upload u) throws IOException {
        if (u.completed()) {
            return u.length();
        }
        List<StoredPart> parts = uploads.parts(u.id());
        return bytes(parts) + tails.size(u.id(), parts.size() + 1);
    }

    /** Appends a request body at the current offset; see {@link Appender}. */
    Appender appender(Upload u) throws IOException {
        List<StoredPart> parts = uploads.parts(u.id());
        tails.deleteBefore(u.id(), parts.size() + 1);
        return new Appender(u, parts);
    }

    /**
     * One request body being appended, as it arrives. It stops at the upload's length; however
     * the body ends, everything written is kept and {@link #close} records the offset.
     */
    final class Appender {
        private final Upload upload;
        private Tail tail;
        private long offset;

        private Appender(Upload upload, List<StoredPart> parts) throws IOException {
            this.upload = upload;
            this.tail = new Tail(upload, parts.size() + 1);
            this.offset = bytes(parts) + tail.size;
        }

        /** @return how many of the {@code length} bytes fitted before the upload's length */
        int write(byte[] bytes, int from, int length) throws IOException {
            int take = (int) Math.min(length, upload.length() - offset);
            for (int done = 0; done < take; ) {
                if (tail.size == upload.partSize()) {
                    tail = tail.putAndNext(offset);
                }
                int chunk = (int) Math.min(take - done, upload.partSize() - tail.size);
                tail.write(bytes, from + done, chunk);
                done += chunk;
                offset += chunk;
            }
            // A full part goes to S3 at once, unless it is the last, which finish() puts.
            if (tail.size == upload.partSize() && offset < upload.length()) {
                tail = tail.putAndNext(offset);
            }
            return take;
        }

        /** @return the offset the upload is at now */
        long close() throws IOException {
            try {
                tail.close();
            } finally {
                uploads.setOffset(upload.id(), offset);
            }
            return offset;
        }
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
