package io.castpipe.api.uploads;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.castpipe.api.http.ApiException;

/**
 * The tus {@code Upload-Metadata} header: comma-separated pairs of a key and a base64 value.
 * Castpipe reads {@code videoId}, {@code filename} and {@code title}; Uppy's {@code name} and
 * {@code filetype} are understood too, and anything else is ignored.
 */
final class TusMetadata {
    private static final Pattern MEDIA_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}");

    private final Map<String, String> values;

    private TusMetadata(Map<String, String> values) {
        this.values = values;
    }

    static TusMetadata parse(String header) {
        Map<String, String> values = new HashMap<>();
        if (header != null && !header.isBlank()) {
            for (String pair : header.split(",")) {
                String[] kv = pair.trim().split(" ", -1);
                if (kv.length > 2 || kv[0].isEmpty()) {
                    throw ApiException.badRequest("invalid_metadata", "Upload-Metadata must be comma-separated 'key base64value' pairs");
                }
                String value = "";
                if (kv.length == 2) {
                    try {
                        value = new String(Base64.getDecoder().decode(kv[1]), StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException e) {
                        throw ApiException.badRequest("invalid_metadata", "Upload-Metadata value of '" + kv[0] + "' is not base64");
                    }
                }
                values.put(kv[0], value);
            }
        }
        return new TusMetadata(values);
    }

    Optional<String> get(String key) {
        String v = values.get(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    Optional<String> filename() {
        return get("filename").or(() -> get("name"));
    }

    /** The title for a video this upload creates: given, else the file's name. */
    Optional<String> title() {
        return get("title").or(this::filename);
    }

    String contentType() {
        return get("filetype").or(() -> get("type")).filter(t -> MEDIA_TYPE.matcher(t).matches())
                .orElse("application/octet-stream");
    }
}
