package io.castpipe.common.storage;

import java.io.InputStream;
import java.util.List;

/** One multipart upload in progress. Parts are numbered from 1; every part but the last is at least 5 MiB. */
public interface MultipartUpload {
    String key();

    String uploadId();

    void putPart(int partNumber, InputStream in, long length);

    /** The parts put so far (or given on resuming), in part-number order, with their ETags. */
    List<UploadedPart> parts();

    /** Makes the object visible from the parts put so far. */
    void complete();

    void abort();
}
