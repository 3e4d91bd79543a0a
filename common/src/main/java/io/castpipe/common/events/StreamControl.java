package io.castpipe.common.events;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An order for the ingest nodes; the {@code stream.control} record (JSON), keyed by channel id.
 * END with a {@code streamId} ends that publish. END without one asks every ingest node to check
 * the stream key of each publisher of the channel again and to end those whose key no longer
 * opens it (the key was rotated, the channel or its owner deleted). {@code reason} is one of the
 * constants below; it becomes the ENDED stream event's reason and the encoder is told it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StreamControl(Type type, String channelId, String streamId, String reason, Instant at) {

    public enum Type {
        END
    }

    public static final String KEY_ROTATED = "key_rotated";
    public static final String ENDED_BY_OWNER = "ended_by_owner";
    public static final String ENDED_BY_ADMIN = "ended_by_admin";
    public static final String USER_REMOVED = "user_removed";
    public static final String VIDEO_DELETED = "video_deleted";

    /** Ends one publish of the channel. */
    public static StreamControl endStream(String channelId, String streamId, String reason) {
        return new StreamControl(Type.END, channelId, streamId, reason, Instant.now());
    }

    /** Ends the channel's publishers whose key no longer opens it. */
    public static StreamControl endChannel(String channelId, String reason) {
        return new StreamControl(Type.END, channelId, null, reason, Instant.now());
    }
}
