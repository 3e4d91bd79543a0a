package io.castpipe.common.auth;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PlaybackTokensTest {
    private static final String SECRET = "a-signing-secret-of-32-characters-at-least";
    private static final Instant EXPIRES = Instant.ofEpochSecond(1_893_456_000L);
    private final PlaybackTokens tokens = new PlaybackTokens(SECRET);

    /** Links already handed out stay valid across releases: the format is HMAC-SHA256 of "VIDEO:EXPIRY", Base64url. */
    @Test
    void aTokenIsItsExpiryAndTheSignatureOfTheVideoAndExpiry() {
        assertThat(tokens.issue("abcdefghijklmnop", EXPIRES))
                .isEqualTo("1893456000.-nWxLbO_ouySOgp53Z8KkBhmWUspUa2qTI152RSzfYg");
    }

    @Test
    void aTokenPlaysItsVideoUntilItExpiresAndNothingElse() {
        String token = tokens.issue("abcdefghijklmnop", EXPIRES);
        assertThat(tokens.verify("abcdefghijklmnop", token, EXPIRES)).isTrue();
        assertThat(tokens.verify("abcdefghijklmnop", token, EXPIRES.plusSeconds(1))).as("expired").isFalse();
        assertThat(tokens.verify("qrstuvwxyzabcdef", token, EXPIRES)).as("another video").isFalse();
        assertThat(tokens.verify("abcdefghijklmnop", "1893459600" + token.substring(10), EXPIRES))
                .as("an expiry moved later").isFalse();
        assertThat(new PlaybackTokens(SECRET + "x").verify("abcdefghijklmnop", token, EXPIRES)).as("another secret").isFalse();
    }
}
