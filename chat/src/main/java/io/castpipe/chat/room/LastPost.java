package io.castpipe.chat.room;

import java.time.Instant;

/** When a user last posted in a room, and what. */
public record LastPost(Instant at, String text) {
}
