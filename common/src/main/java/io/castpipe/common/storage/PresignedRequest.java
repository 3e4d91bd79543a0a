package io.castpipe.common.storage;

import java.net.URL;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A request anyone holding it may make until {@code expiresAt}, headers included. */
public record PresignedRequest(URL url, String method, Map<String, List<String>> headers, Instant expiresAt) {
}
