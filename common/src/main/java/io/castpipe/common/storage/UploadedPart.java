package io.castpipe.common.storage;

/** A part already in a multipart upload: its number (from 1) and the ETag S3 answered for it. */
public record UploadedPart(int partNumber, String etag) {
    public UploadedPart {
        if (partNumber < 1 || partNumber > 10_000) {
            throw new IllegalArgumentException("part number " + partNumber + " is outside 1..10000");
        }
        if (etag == null || etag.isBlank()) {
            throw new IllegalArgumentException("part " + partNumber + " has no ETag");
        }
    }
}
