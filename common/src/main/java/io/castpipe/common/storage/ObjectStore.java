package io.castpipe.common.storage;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The bucket that holds every upload and every HLS object, spoken to through the S3 API.
 * Keys are relative to the bucket; see docs/architecture.md for the layout.
 */
public interface ObjectStore extends AutoCloseable {

    /** Checks the bucket is reachable with these credentials, creating it when missing. */
    void ensureBucket();

    void put(String key, byte[] bytes, String contentType);

    /** Streams {@code length} bytes from {@code in} in one request; nothing is held in memory. */
    void put(String key, InputStream in, long length, String contentType);

    /**
     * A stream that uploads what is written to it: in one request when it stays under the part
     * size, otherwise as a multipart upload holding at most one part in memory. The object
     * appears only when the stream is closed; a failed write aborts the upload.
     */
    OutputStream openForWrite(String key, String contentType);

    /**
     * Like {@link #openForWrite(String, String)}, but a write that would take the object past
     * {@code maxBytes} throws {@link ObjectTooLargeException} and aborts the upload, and the
     * caller can {@link ObjectOutputStream#abort() abort} it, e.g. when its own source fails.
     */
    ObjectOutputStream openForWrite(String key, String contentType, long maxBytes);

    MultipartUpload startMultipart(String key, String contentType);

    /**
     * A handle on a multipart upload started earlier, possibly by another process, that already
     * holds {@code parts}: put more parts, complete it from all of them, or abort it. The parts'
     * ETags may come from a client that uploaded them through presigned URLs; S3 checks them on
     * completion.
     */
    MultipartUpload resumeMultipart(String key, String uploadId, List<UploadedPart> parts);

    /** @throws ObjectNotFoundException when there is no such object */
    InputStream get(String key);

    /** Bytes {@code first} to {@code last} inclusive. @throws ObjectNotFoundException when missing */
    InputStream getRange(String key, long first, long last);

    Optional<ObjectInfo> head(String key);

    /** Every object whose key starts with {@code prefix}, in key order. */
    List<ObjectInfo> list(String prefix);

    /**
     * One page of {@link #list}: at most {@code max} (1 to 1,000) objects whose key starts with
     * {@code prefix} and comes after {@code startAfter} (null: from the first), in key order. For
     * work that must be bounded however many objects there are.
     */
    default List<ObjectInfo> listPage(String prefix, String startAfter, int max) {
        return list(prefix).stream().filter(o -> startAfter == null || o.key().compareTo(startAfter) > 0).limit(max).toList();
    }

    /** Copies an object inside the bucket, on the storage side (no bytes pass through this process). */
    void copy(String fromKey, String toKey);

    void delete(String key);

    /** Deletes every object whose key starts with {@code prefix}; returns how many went. */
    int deleteByPrefix(String prefix);

    /**
     * A PUT of exactly {@code contentLength} bytes: the length is one of the signed headers, so
     * storage that checks signatures (S3, MinIO, the embedded server) refuses a body of any other
     * length. Every HTTP client sends Content-Length from the body itself.
     */
    PresignedRequest presignPut(String key, String contentType, long contentLength, Duration ttl);

    PresignedRequest presignGet(String key, Duration ttl);

    /** An UploadPart of exactly {@code contentLength} bytes, signed like {@link #presignPut}. */
    PresignedRequest presignUploadPart(String key, String uploadId, int partNumber, long contentLength, Duration ttl);

    @Override
    void close();
}
