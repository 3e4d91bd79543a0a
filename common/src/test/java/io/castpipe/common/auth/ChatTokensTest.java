package io.castpipe.common.auth;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ChatTokensTest {
    private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");
    private final ChatTokens tokens = new ChatTokens("a-secret");

    @Test
    void aGenuineTokenNamesItsHolderInItsChannelUntilItExpires() {
        String token = tokens.issue("games", "u1", "Ada: the 1st", ChatTokens.Role.MODERATOR, "own9", NOW.plusSeconds(60));
        assertThat(tokens.verify(token, "games", NOW)).contains(
                new ChatTokens.Holder("games", "u1", "Ada: the 1st", ChatTokens.Role.MODERATOR, "own9", NOW.plusSeconds(60)));
        assertThat(tokens.verify(token, "games", NOW.plusSeconds(60))).isPresent();
        assertThat(tokens.verify(token, "games", NOW.plusSeconds(61))).as("expired").isEmpty();
        assertThat(tokens.verify(token, "music", NOW)).as("another channel").isEmpty();
    }

    @Test
    void forgedOrMangledTokensAreRefused() {
        String token = tokens.issue("games", "u1", "ada", ChatTokens.Role.VIEWER, "own9", NOW.plusSeconds(60));
        String payload = token.substring(0, token.lastIndexOf('.'));
        String signature = token.substring(token.lastIndexOf('.') + 1);
        String promoted = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("games:u1:OWNER:" + NOW.plusSeconds(60).getEpochSecond() + ":own9:ada").getBytes(StandardCharsets.UTF_8));

        assertThat(tokens.verify(promoted + "." + signature, "games", NOW)).as("payload changed").isEmpty();
        assertThat(new ChatTokens("another-secret").verify(token, "games", NOW)).as("other secret").isEmpty();
        assertThat(tokens.verify(payload + ".", "games", NOW)).isEmpty();
        assertThat(tokens.verify(payload, "games", NOW)).isEmpty();
        assertThat(tokens.verify("", "games", NOW)).isEmpty();
        assertThat(tokens.verify(null, "games", NOW)).isEmpty();
        assertThat(tokens.verify("x".repeat(5000), "games", NOW)).isEmpty();
    }
}
