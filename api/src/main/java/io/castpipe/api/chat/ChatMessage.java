package io.castpipe.api.chat;

import java.time.Instant;

/** A message said in a channel's chat, as kept for replay. */
public record ChatMessage(String id, String userId, String userName, String text, Instant sentAt) {
}
