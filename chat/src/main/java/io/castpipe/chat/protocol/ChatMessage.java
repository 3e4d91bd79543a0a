package io.castpipe.chat.protocol;

import java.time.Instant;

/** One message as rooms keep and show it: {@code user} is the poster's name, {@code userId} whom moderators act on. */
public record ChatMessage(String id, String user, String userId, String text, Instant ts) {
}
