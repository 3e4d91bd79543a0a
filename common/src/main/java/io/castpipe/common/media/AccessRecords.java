package io.castpipe.common.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A video's access record ({@link ObjectKeys#accessRecord}): {@code {"visibility":"public"}},
 * {@code "unlisted"} or {@code "private"} while the video exists, {@code "deleted"} (a tombstone)
 * once it has been deleted. No record at all means that the API has not written one yet, which is
 * not the same thing: the origin then serves none of the video's own objects, but work goes on.
 */
public final class AccessRecords {
    /** The tombstone's visibility: the video was deleted, for good. */
    public static final String DELETED = "deleted";
    public static final String CONTENT_TYPE = "application/json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AccessRecords() {
    }

    /** The record of a video with {@code visibility} (one of the words above). */
    public static byte[] of(String visibility) {
        return ("{\"visibility\":\"" + visibility + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** The visibility word {@code record} holds; empty when it is not an access record. */
    public static Optional<String> visibility(byte[] record) {
        try {
            JsonNode json = MAPPER.readTree(record);
            JsonNode value = json == null ? null : json.get("visibility");
            return value != null && value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
