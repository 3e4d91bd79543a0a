package io.castpipe.origin.vod;

import java.util.Optional;
import java.util.regex.Pattern;

import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.origin.http.MediaType;

/**
 * A checked VOD request path: {@code /vod/{id}/{file}}, {@code /vod/{id}/{rendition}/{file}} or
 * {@code /vod/{id}/thumbs/{file}}, and the one storage key under {@code vod/{id}/} it names.
 *
 * <p>The path is checked as the client sent it, before any decoding: only
 * {@code [A-Za-z0-9._-]} and slashes may appear, so there is nothing to decode and nothing a
 * later decoding or normalising step could turn into a different path. Percent escapes,
 * backslashes, NUL, {@code ;} parameters, empty or dot segments are all refused.
 */
public record VodPath(String videoId, String storageKey, MediaType type) {
    public static final String PREFIX = "/vod/";
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final int MAX_PATH = 256;

    /** Why a path was refused: the HTTP status and a message that does not echo the path. */
    public static final class Rejected extends Exception {
        private final int status;

        Rejected(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * @param rawUri the request target as received (no query), origin-form or absolute-form
     */
    public static VodPath parse(String rawUri) throws Rejected {
        String path = pathOf(rawUri);
        if (path.length() > MAX_PATH) {
            throw new Rejected(400, "path too long");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-' || c == '/';
            if (!ok) {
                throw new Rejected(400, "malformed path: only letters, digits, '.', '_', '-' and '/' are allowed");
            }
        }
        if (!path.startsWith(PREFIX)) {
            throw new Rejected(404, "no such path");
        }
        String[] parts = path.substring(PREFIX.length()).split("/", -1);
        for (String part : parts) {
            if (part.contains("..")) {
                throw new Rejected(400, "malformed path: '..' is not allowed");
            }
        }
        if (parts.length < 2) {
            throw new Rejected(404, "no such path; playback starts at /vod/{id}/master.m3u8");
        }
        if (parts.length > 3) {
            throw new Rejected(400, "malformed path: too many segments");
        }
        String id = parts[0];
        if (!Ids.isValid(id)) {
            throw new Rejected(400, "malformed path: not a video id");
        }
        for (int i = 1; i < parts.length; i++) {
            if (!SEGMENT.matcher(parts[i]).matches()) {
                throw new Rejected(400, "malformed path segment");
            }
        }
        String file = parts[parts.length - 1];
        Optional<MediaType> type = MediaType.ofFile(file);
        if (type.isEmpty()) {
            throw new Rejected(404, "no such file; served types are m3u8, m4s, mp4, jpg and vtt");
        }
        String key = parts.length == 2
                ? ObjectKeys.vodPrefix(id) + file
                : ObjectKeys.vodFile(id, parts[1], file);
        // Belt and braces: whatever the checks above allow must stay inside this video.
        if (!key.startsWith(ObjectKeys.vodPrefix(id))) {
            throw new Rejected(404, "no such file");
        }
        return new VodPath(id, key, type.get());
    }

    private static String pathOf(String rawUri) {
        int scheme = rawUri.indexOf("://");
        if (scheme >= 0 && !rawUri.startsWith("/")) {
            int slash = rawUri.indexOf('/', scheme + 3);
            return slash < 0 ? "/" : rawUri.substring(slash);
        }
        return rawUri;
    }
}
