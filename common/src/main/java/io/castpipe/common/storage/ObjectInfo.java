package io.castpipe.common.storage;

import java.time.Instant;

public record ObjectInfo(String key, long size, String etag, Instant lastModified) {
}
