package io.castpipe.api.videos;

import java.time.Instant;

import io.castpipe.api.auth.Caller;

/**
 * A row of the videos table. {@code ownerId} is null for a video the admin created;
 * {@code sourceJson} and {@code renditionsJson} are set once the video is ready.
 */
public record Video(String id, String ownerId, String title, String description, Visibility visibility,
                    VideoStatus status, double progress, String errorCode, String errorMessage,
                    Double durationSeconds, String sourceJson, String renditionsJson,
                    Instant createdAt, Instant updatedAt, String channelId) {

    /** A live broadcast's recording (the channel it was broadcast on is known), not an upload. */
    public boolean isRecording() {
        return channelId != null;
    }

    public boolean manageableBy(Caller caller) {
        return caller.isAdmin() || caller.is(ownerId);
    }

    /** Private videos do not exist for anyone but their owner and the admin. */
    public boolean visibleTo(Caller caller) {
        return visibility != Visibility.PRIVATE || manageableBy(caller);
    }
}
