package io.castpipe.common.events;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One thing said or done in a channel's chat; the {@code chat} record (JSON), keyed by channel
 * name so that a room's records keep their order. Every chat node applies every record to its
 * copy of the room, and the API keeps the messages for replay.
 * <ul>
 * <li>MESSAGE: {@code id} (new), {@code userId}, {@code userName}, {@code text};</li>
 * <li>DELETE: {@code id} of the message taken down;</li>
 * <li>TIMEOUT: {@code userId} may not post for {@code seconds};</li>
 * <li>BAN / UNBAN: {@code userId} may not post / may again;</li>
 * <li>SLOWMODE: one message per {@code seconds} per user, 0 for off;</li>
 * <li>BLOCKED_WORDS: the channel's whole list, {@code words}, replacing the one before.</li>
 * </ul>
 * {@code by} is the user id of whoever took a moderation action; {@code node} the chat node
 * (or the API) that published the record; {@code at} when. A moderation record also goes, first,
 * to the compacted {@code chat.state} topic under its {@link #stateKey()}, so that a chat node
 * starting long after it still knows the setting.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatEvent(Type type, String channel, String id, String userId, String userName, String text,
                        Integer seconds, List<String> words, String by, Instant at, String node) {

    public enum Type {
        MESSAGE, DELETE, TIMEOUT, BAN, UNBAN, SLOWMODE, BLOCKED_WORDS
    }

    /**
     * Where this record's setting is kept on the compacted {@code chat.state} topic, whose newest
     * record per key is the setting now: a channel's blocked words and slow mode, and each user's
     * ban and timeout there. Null for messages and deletions, which are history, not settings.
     */
    @JsonIgnore
    public String stateKey() {
        return switch (type) {
            case BLOCKED_WORDS -> channel + "/blocked-words";
            case SLOWMODE -> channel + "/slowmode";
            case BAN, UNBAN -> channel + "/ban/" + userId;
            case TIMEOUT -> channel + "/timeout/" + userId;
            case MESSAGE, DELETE -> null;
        };
    }

    public static ChatEvent message(String channel, String id, String userId, String userName, String text, String node) {
        return new ChatEvent(Type.MESSAGE, channel, id, userId, userName, text, null, null, null, Instant.now(), node);
    }

    public static ChatEvent delete(String channel, String messageId, String by, String node) {
        return new ChatEvent(Type.DELETE, channel, messageId, null, null, null, null, null, by, Instant.now(), node);
    }

    public static ChatEvent timeout(String channel, String userId, int seconds, String by, String node) {
        return new ChatEvent(Type.TIMEOUT, channel, null, userId, null, null, seconds, null, by, Instant.now(), node);
    }

    public static ChatEvent ban(String channel, String userId, boolean banned, String by, String node) {
        return new ChatEvent(banned ? Type.BAN : Type.UNBAN, channel, null, userId, null, null, null, null, by,
                Instant.now(), node);
    }

    public static ChatEvent slowMode(String channel, int seconds, String by, String node) {
        return new ChatEvent(Type.SLOWMODE, channel, null, null, null, null, seconds, null, by, Instant.now(), node);
    }

    public static ChatEvent blockedWords(String channel, List<String> words, String by, String node) {
        return new ChatEvent(Type.BLOCKED_WORDS, channel, null, null, null, null, null, List.copyOf(words), by,
                Instant.now(), node);
    }
}
