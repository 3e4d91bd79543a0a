package io.castpipe.api.videos;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

import io.castpipe.api.http.ApiException;
import io.castpipe.common.media.Ids;

/** Where a page of the newest-first list ends: the last video's creation time and id, opaque to clients. */
public record VideoCursor(Instant createdAt, String id) {

    public String encode() {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((micros + ":" + id).getBytes(StandardCharsets.US_ASCII));
    }

    public static VideoCursor decode(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            int colon = s.indexOf(':');
            String id = s.substring(colon + 1);
            if (colon < 1 || !Ids.isValid(id)) {
                throw new IllegalArgumentException();
            }
            return new VideoCursor(Instant.EPOCH.plus(Long.parseLong(s.substring(0, colon)), ChronoUnit.MICROS), id);
        } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
            throw ApiException.badRequest("bad_cursor", "the cursor is not one this API gave out");
        }
    }
}
