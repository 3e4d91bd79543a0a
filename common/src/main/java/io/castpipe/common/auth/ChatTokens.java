package io.castpipe.common.auth;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Signed, expiring permission to post in one channel's chat, with the poster's role there:
 * {@code PAYLOAD.SIGNATURE}, the payload being base64url of
 * {@code channel:userId:role:expiry:ownerId:userName} and the signature HMAC-SHA256 over the payload with
 * the shared signing secret. The API issues them; chat nodes check them without a database, and
 * learn from any of them who owns the channel (whom nobody may moderate). A role taken away (a
 * moderator removed) holds until the token expires.
 */
public final class ChatTokens {
    /** What the holder may do in the room. */
    public enum Role {
        VIEWER, MODERATOR, OWNER;

        public boolean moderates() {
            return this != VIEWER;
        }
    }

    /** Who a valid token names, in which channel, until when. */
    public record Holder(String channel, String userId, String userName, Role role, String ownerId, Instant expiresAt) {
    }

    private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final int MAX_TOKEN = 1024;
    /** Signed before the payload, so that no other token signed with the same secret passes for a chat token. */
    private static final String SIGNED_PREFIX = "chat:";

    private final HmacSigner signer;

    public ChatTokens(String secret) {
        this.signer = new HmacSigner(secret);
    }

    /**
     * @param userName shown beside the holder's messages; any text, at most 64 characters
     * @param ownerId the user id of the channel's owner
     */
    public String issue(String channel, String userId, String userName, Role role, String ownerId, Instant expiresAt) {
        if (!FIELD.matcher(channel).matches() || !FIELD.matcher(userId).matches() || !FIELD.matcher(ownerId).matches()) {
            throw new IllegalArgumentException("channel, user id and owner id must be 1-64 of [A-Za-z0-9_-]");
        }
        if (userName.isEmpty() || userName.length() > 64) {
            throw new IllegalArgumentException("a user name must be 1-64 characters");
        }
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                (channel + ":" + userId + ":" + role.name() + ":" + expiresAt.getEpochSecond() + ":" + ownerId + ":" + userName)
                        .getBytes(StandardCharsets.UTF_8));
        return payload + "." + signer.sign(SIGNED_PREFIX + payload);
    }

    /** The holder of {@code token} if it is genuine, unexpired at {@code now} and for {@code channel}. */
    public Optional<Holder> verify(String token, String channel, Instant now) {
        if (token == null || token.length() > MAX_TOKEN) {
            return Optional.empty();
        }
        int dot = token.lastIndexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        String payload = token.substring(0, dot);
        if (!signer.verifies(SIGNED_PREFIX + payload, token.substring(dot + 1))) {
            return Optional.empty();
        }
        String[] f;
        try {
            f = new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8).split(":", 6);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (f.length != 6 || !f[0].equals(channel)) {
            return Optional.empty();
        }
        try {
            Instant expires = Instant.ofEpochSecond(Long.parseLong(f[3]));
            if (now.isAfter(expires)) {
                return Optional.empty();
            }
            return Optional.of(new Holder(f[0], f[1], f[5], Role.valueOf(f[2]), f[4], expires));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
