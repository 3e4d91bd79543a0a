package io.castpipe.chat.room;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import io.castpipe.chat.protocol.Refusal;
import io.castpipe.common.auth.ChatTokens.Role;
import io.castpipe.common.events.ChatEvent;

/**
 * What decides whether a post may go into a room: bans, timeouts, slow mode, blocked words, and
 * each user's last post (slow mode, repeats). Built from the room's {@code chat} records, so every
 * node holds the same. Bans and timeouts keep at most {@link #MAX_USERS} users each, last posts
 * {@link #MAX_POSTERS}; the oldest entry gives way. Guarded by the room.
 */
final class Moderation {
    static final int MAX_USERS = 10_000;
    static final int MAX_POSTERS = 1_000;
    static final Duration REPEAT_WINDOW = Duration.ofSeconds(30);

    private final Set<String> banned = new LinkedHashSet<>();
    private final Map<String, Instant> timedOutUntil = new LinkedHashMap<>();
    private final Map<String, LastPost> lastPosts = new LinkedHashMap<>();
    private int slowModeSeconds;
    private BlockedWords blockedWords = BlockedWords.NONE;

    private void posted(String userId, Instant at, String text) {
        lastPosts.remove(userId);
        putBounded(lastPosts, MAX_POSTERS, userId, new LastPost(at, text));
    }

    private void timedOut(String userId, Instant at, int seconds) {
        timedOutUntil.values().removeIf(until -> !until.isAfter(at));
        timedOutUntil.remove(userId);
        putBounded(timedOutUntil, MAX_USERS, userId, at.plusSeconds(seconds));
    }

    private void banned(String userId, boolean ban) {
        if (!ban) {
            banned.remove(userId);
            return;
        }
        banned.remove(userId);
        if (banned.size() == MAX_USERS) {
            Iterator<String> oldest = banned.iterator();
            oldest.next();
            oldest.remove();
        }
        banned.add(userId);
    }

    int slowModeSeconds() {
        return slowModeSeconds;
    }

    /** True once anything has been recorded that a later joiner or post check must see. */
    boolean holdsState() {
        return !banned.isEmpty() || !timedOutUntil.isEmpty() || !lastPosts.isEmpty() || slowModeSeconds > 0
                || !blockedWords.isEmpty();
    }

    /**
     * Refuses a post the room's rules forbid. The owner is above bans, timeouts and slow mode,
     * moderators above slow mode. {@code mine} is the poster's own last post on this connection,
     * which may not have come back from Kafka yet.
     */
    void checkPost(String userId, Role role, String text, Instant now, LastPost mine) throws Refusal {
        if (role != Role.OWNER && banned.contains(userId)) {
            throw new Refusal("banned", "you are banned from this chat");
        }
        Instant until = timedOutUntil.get(userId);
        if (role != Role.OWNER && until != null && until.isAfter(now)) {
            throw new Refusal("timed_out", "you are timed out for " + secondsUntil(now, until) + " more s");
        }
        LastPost last = latest(lastPosts.get(userId), mine);
        if (last != null && role == Role.VIEWER && slowModeSeconds > 0) {
            Instant next = last.at().plusSeconds(slowModeSeconds);
            if (next.isAfter(now)) {
                throw new Refusal("slow_mode", "slow mode is on: one message every " + slowModeSeconds
                        + " s; wait " + secondsUntil(now, next) + " s");
            }
        }
        if (last != null && last.text().equals(text) && last.at().plus(REPEAT_WINDOW).isAfter(now)) {
            throw new Refusal("duplicate", "you sent the same message less than " + REPEAT_WINDOW.toSeconds() + " s ago");
        }
        if (blockedWords.blocks(text)) {
            throw new Refusal("blocked_word", "your message contains a word this channel does not allow");
        }
    }

    void apply(ChatEvent e) {
        switch (e.type()) {
            case TIMEOUT -> timedOut(e.userId(), e.at(), e.seconds());
            case BAN, UNBAN -> banned(e.userId(), e.type() == ChatEvent.Type.BAN);
            case SLOWMODE -> slowModeSeconds = e.seconds();
            case BLOCKED_WORDS -> blockedWords = BlockedWords.of(e.words());
            case MESSAGE -> posted(e.userId(), e.at(), e.text());
            case DELETE -> {
            }
        }
    }

    private static LastPost latest(LastPost a, LastPost b) {
        if (a == null) {
            return b;
        }
        return b == null || a.at().isAfter(b.at()) ? a : b;
    }

    private static long secondsUntil(Instant now, Instant then) {
        return Math.max(1, (Duration.between(now, then).toMillis() + 999) / 1000);
    }

    private static <V> void putBounded(Map<String, V> map, int max, String key, V value) {
        if (map.size() == max) {
            Iterator<String> oldest = map.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        map.put(key, value);
    }
}
