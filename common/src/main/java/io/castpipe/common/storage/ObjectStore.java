package io.castpipe.common.storage;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The bucket that holds every upload and every HLS object, spoken to through the S3 API.
 * Keys are relative to the bucket; see DESIGN.md for the layout.
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

    MultipartUpload startMultipart(String key, String contentType);

    /** @throws ObjectNotFoundException when there is no such object */
    InputStream get(String key);

    /** Bytes {@code first} to {@code last} inclusive. @throws ObjectNotFoundException when missing */
    InputStream getRange(String key, long first, long last);

    Optional<ObjectInfo> head(String key);

    /** Every object whose key starts with {@code prefix}, in key order. */
    List<ObjectInfo> list(String prefix);

    void delete(String key);

    /** Deletes every object whose key starts with {@code prefix}; returns how many went. */
    int deleteByPrefix(String prefix);

    PresignedRequest presignPut(String key, String contentType, Duration ttl);

    PresignedRequest presignGet(String key, Duration ttl);

    PresignedRequest presignUploadPart(String key, String uploadId, int partNumber, Duration ttl);

    @Override
    void close();
}
