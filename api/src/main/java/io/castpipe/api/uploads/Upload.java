package io.castpipe.api.uploads;

import java.time.Instant;

/**
 * A row of the uploads table: one attempt at getting a video's source into storage. A tus
 * upload streams through the API into the S3 multipart upload {@code s3UploadId}; a direct one
 * is a presigned PUT ({@code s3UploadId} null) or presigned part PUTs by the client.
 */
public record Upload(String id, String videoId, Kind kind, boolean completed, String s3UploadId, Long length,
                     long offset, long partSize, String filename, Instant expiresAt, Instant createdAt) {

    public enum Kind { TUS, DIRECT }

    public boolean expired(Instant now) {
        return !completed && now.isAfter(expiresAt);
    }
}
