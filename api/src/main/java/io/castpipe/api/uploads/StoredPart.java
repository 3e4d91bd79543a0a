package io.castpipe.api.uploads;

import io.castpipe.common.storage.UploadedPart;

/** A part of a tus upload already in S3, as the uploads table keeps it. */
record StoredPart(int partNumber, long sizeBytes, String etag) {
    UploadedPart toUploadedPart() {
        return new UploadedPart(partNumber, etag);
    }
}
