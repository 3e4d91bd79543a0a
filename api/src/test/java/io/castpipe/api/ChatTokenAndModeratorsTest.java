package io.castpipe.api;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.api.HttpTestClient.Response;
import io.castpipe.common.auth.ChatTokens;
import io.castpipe.common.config.Setting;
import io.castpipe.common.media.Ids;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Chat tokens and the moderators a channel's owner names, through HTTP against a real node. */
class ChatTokenAndModeratorsTest {
    private static final ChatTokens TOKENS = new ChatTokens(ApiTestNode.SIGNING_SECRET);
    private static ApiTestNode node;
    private static HttpTestClient http;

    @BeforeAll
    static void start() throws Exception {
        node = ApiTestNode.shared();
        http = node.client();
    }

    /** A user as POST /api/users answers: id, name, token. */
    private record User(String id, String name, String token) {
    }

    private static User newUser(String name) throws Exception {
        JsonNode u = http.post("/api/users", ApiTestNode.ADMIN_TOKEN, Map.of("name", name)).json();
        return new User(u.get("id").asText(), name, u.get("token").asText());
    }

    private static JsonNode chatToken(User user, String channel) throws Exception {
        Response r = http.post("/api/chat/token", user.token(), Map.of("channel", channel));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static Response putModerator(String channel, String userId, String token) throws Exception {
        return http.request("PUT", "/api/channels/" + channel + "/moderators/" + userId).token(token).send();
    }

    @Test
    void theTokenNamesTheUserAndTheirRoleInThatChannelOnly() throws Exception {
        User owner = newUser("chat-owner");
        User mod = newUser("chat-mod");
        User viewer = newUser("chat-viewer");
        http.post("/api/channels", owner.token(), Map.of("name", "chat-room"));
        http.post("/api/channels", viewer.token(), Map.of("name", "chat-elsewhere"));
        assertThat(putModerator("chat-room", mod.id(), owner.token()).status()).isEqualTo(204);

        Instant before = Instant.now();
        JsonNode ownerToken = chatToken(owner, "chat-room");
        assertThat(ownerToken.get("role").asText()).isEqualTo("owner");
        assertThat(ownerToken.get("chatUrl").asText()).matches("ws://[^/]+:\\d+/chat/chat-room");
        Instant expiresAt = Instant.parse(ownerToken.get("expiresAt").asText());
        assertThat(expiresAt).as("an hour by default").isBetween(before.plus(Duration.ofMinutes(59)),
                Instant.now().plus(Duration.ofMinutes(61)));
        assertThat(TOKENS.verify(ownerToken.get("token").asText(), "chat-room", Instant.now())).contains(
                new ChatTokens.Holder("chat-room", owner.id(), "chat-owner", ChatTokens.Role.OWNER, owner.id(), expiresAt));
        assertThat(TOKENS.verify(ownerToken.get("token").asText(), "chat-elsewhere", Instant.now()))
                .as("not for another channel").isEmpty();
        assertThat(TOKENS.verify(ownerToken.get("token").asText(), "chat-room", expiresAt.plusSeconds(1)))
                .as("not after it expires").isEmpty();

        JsonNode modToken = chatToken(mod, "chat-room");
        assertThat(modToken.get("role").asText()).isEqualTo("moderator");
        assertThat(TOKENS.verify(modToken.get("token").asText(), "chat-room", Instant.now()).orElseThrow().role())
                .isEqualTo(ChatTokens.Role.MODERATOR);
        assertThat(chatToken(mod, "chat-elsewhere").get("role").asText()).as("a moderator of one channel only")
                .isEqualTo("viewer");

        JsonNode viewerToken = chatToken(viewer, "chat-room");
        assertThat(viewerToken.get("role").asText()).isEqualTo("viewer");
        assertThat(TOKENS.verify(viewerToken.get("token").asText(), "chat-room", Instant.now()))
                .as("a viewer's token names the channel's owner too")
                .contains(new ChatTokens.Holder("chat-room", viewer.id(), "chat-viewer", ChatTokens.Role.VIEWER, owner.id(),
                        Instant.parse(viewerToken.get("expiresAt").asText())));

        // Removed, the moderator's next token is a viewer's.
        Response removed = http.delete("/api/channels/chat-room/moderators/" + mod.id(), owner.token());
        assertThat(removed.status()).isEqualTo(204);
        JsonNode after = chatToken(mod, "chat-room");
        assertThat(after.get("role").asText()).isEqualTo("viewer");
        assertThat(TOKENS.verify(after.get("token").asText(), "chat-room", Instant.now()).orElseThrow().role())
                .isEqualTo(ChatTokens.Role.VIEWER);
    }

    @Test
    void tokensLastAsLongAsTheNodeIsConfiguredFor() throws Exception {
        try (ApiTestNode shortLived = ApiTestNode.isolated(Map.of(Setting.CHAT_TOKEN_SECONDS.env(), "120"))) {
            HttpTestClient client = shortLived.client();
            String user = client.newUser("short-lived");
            client.post("/api/channels", user, Map.of("name", "short-room"));
            Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            JsonNode answer = client.post("/api/chat/token", user, Map.of("channel", "short-room")).json();
            Instant expiresAt = Instant.parse(answer.get("expiresAt").asText());
            assertThat(expiresAt).isBetween(before.plusSeconds(120), Instant.now().plusSeconds(120));
            assertThat(TOKENS.verify(answer.get("token").asText(), "short-room", expiresAt)).isPresent();
            assertThat(TOKENS.verify(answer.get("token").asText(), "short-room", expiresAt.plusSeconds(1))).isEmpty();
        }
    }

    @Test
    void chatTokensNeedAUserAndAChannelThatExists() throws Exception {
        User user = newUser("chat-asker");
        http.post("/api/channels", user.token(), Map.of("name", "chat-asked"));
        assertThat(http.post("/api/chat/token", null, Map.of("channel", "chat-asked")).status()).isEqualTo(401);
        assertThat(http.post("/api/chat/token", ApiTestNode.ADMIN_TOKEN, Map.of("channel", "chat-asked")).errorCode())
                .isEqualTo("user_required");
        Response unknown = http.post("/api/chat/token", user.token(), Map.of("channel", "no-such-room"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("not_found");
        assertThat(http.post("/api/chat/token", user.token(), Map.of("channel", "../x")).status()).isEqualTo(404);
        assertThat(http.post("/api/chat/token", user.token(), Map.of()).errorCode()).isEqualTo("missing_field");
        assertThat(http.post("/api/chat/token", user.token(), Map.of("channel", 7)).errorCode()).isEqualTo("invalid_field");
        assertThat(http.post("/api/chat/token", user.token(), "[1]").errorCode()).isEqualTo("invalid_json");
    }

    @Test
    void onlyTheOwnerOrTheAdminNamesAndListsModerators() throws Exception {
        User owner = newUser("mods-owner");
        User stranger = newUser("mods-stranger");
        User first = newUser("mods-b-first");
        User second = newUser("mods-a-second");
        http.post("/api/channels", owner.token(), Map.of("name", "mods-room"));

        assertThat(putModerator("mods-room", first.id(), stranger.token()).status()).isEqualTo(403);
        assertThat(putModerator("mods-room", first.id(), null).status()).isEqualTo(401);
        assertThat(putModerator("mods-room", first.id(), owner.token()).status()).isEqualTo(204);
        assertThat(putModerator("mods-room", first.id(), owner.token()).status()).as("again: no change").isEqualTo(204);
        assertThat(putModerator("mods-room", second.id(), ApiTestNode.ADMIN_TOKEN).status()).isEqualTo(204);

        Response listed = http.get("/api/channels/mods-room/moderators", owner.token());
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.json().get("items").findValuesAsText("name")).containsExactly("mods-a-second", "mods-b-first");
        assertThat(listed.json().get("items").findValuesAsText("id")).containsExactly(second.id(), first.id());
        assertThat(http.get("/api/channels/mods-room/moderators", ApiTestNode.ADMIN_TOKEN).json().get("items"))
                .hasSize(2);
        assertThat(http.get("/api/channels/mods-room/moderators", stranger.token()).status()).isEqualTo(403);
        assertThat(http.get("/api/channels/mods-room/moderators", first.token()).status())
                .as("moderators do not manage the channel").isEqualTo(403);
        assertThat(http.get("/api/channels/mods-room/moderators", null).status()).isEqualTo(401);

        assertThat(http.delete("/api/channels/mods-room/moderators/" + first.id(), stranger.token()).status())
                .isEqualTo(403);
        assertThat(http.delete("/api/channels/mods-room/moderators/" + first.id(), owner.token()).status()).isEqualTo(204);
        assertThat(http.delete("/api/channels/mods-room/moderators/" + first.id(), owner.token()).status())
                .as("gone already").isEqualTo(204);
        assertThat(http.get("/api/channels/mods-room/moderators", owner.token()).json().get("items")
                .findValuesAsText("id")).containsExactly(second.id());
    }

    @Test
    void badModeratorRequestsAreJsonErrors() throws Exception {
        User owner = newUser("mods-owner-two");
        http.post("/api/channels", owner.token(), Map.of("name", "mods-room-two"));

        Response unknownUser = putModerator("mods-room-two", Ids.newId(), owner.token());
        assertThat(unknownUser.status()).isEqualTo(404);
        assertThat(unknownUser.errorCode()).isEqualTo("not_found");
        assertThat(putModerator("no-such-room", owner.id(), owner.token()).status()).isEqualTo(404);
        assertThat(http.get("/api/channels/no-such-room/moderators", owner.token()).status()).isEqualTo(404);
        assertThat(putModerator("mods-room-two", "not-an-id", owner.token()).errorCode()).isEqualTo("bad_id");
        assertThat(putModerator("mods-room-two", owner.id(), owner.token()).errorCode()).isEqualTo("owner_moderates");
    }

    @Test
    void aChannelHasAtMostAHundredModerators() throws Exception {
        User owner = newUser("mods-owner-many");
        http.post("/api/channels", owner.token(), Map.of("name", "mods-room-many"));
        User last = null;
        for (int i = 0; i < 100; i++) {
            last = newUser("mods-many-" + i);
            assertThat(putModerator("mods-room-many", last.id(), owner.token()).status()).isEqualTo(204);
        }
        User oneMore = newUser("mods-many-extra");
        Response refused = putModerator("mods-room-many", oneMore.id(), owner.token());
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.errorCode()).isEqualTo("too_many_moderators");
        assertThat(putModerator("mods-room-many", last.id(), owner.token()).status())
                .as("naming one already there is no addition").isEqualTo(204);
        assertThat(http.get("/api/channels/mods-room-many/moderators", owner.token()).json().get("items")).hasSize(100);

        http.delete("/api/channels/mods-room-many/moderators/" + last.id(), owner.token());
        assertThat(putModerator("mods-room-many", oneMore.id(), owner.token()).status()).isEqualTo(204);
    }
}
