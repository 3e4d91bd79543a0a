package io.castpipe.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;

import io.castpipe.api.HttpTestClient.Response;
import io.castpipe.api.auth.UserTokens;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /api/users and bearer-token authentication, through HTTP against a real node. */
class UsersAndAuthTest {
    private static ApiTestNode node;
    private static HttpTestClient http;

    @BeforeAll
    static void start() throws Exception {
        node = ApiTestNode.shared();
        http = node.client();
    }

    @Test
    void adminCreatesAUserWhoseTokenIsStoredOnlyAsItsHash() throws Exception {
        Response r = http.post("/api/users", ApiTestNode.ADMIN_TOKEN, Map.of("name", "alice-hash"));

        assertThat(r.status()).isEqualTo(201);
        String id = r.json().get("id").asText();
        String token = r.json().get("token").asText();
        assertThat(r.json().get("name").asText()).isEqualTo("alice-hash");
        assertThat(token).hasSizeGreaterThanOrEqualTo(32);
        try (Connection c = node.database.connection();
             PreparedStatement ps = c.prepareStatement("SELECT token_hash FROM api_tokens WHERE user_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(UserTokens.hash(token)).hasSize(64).doesNotContain(token);
            }
        }
        // The token works: the user may create a video.
        assertThat(http.post("/api/videos", token, Map.of("title", "mine")).status()).isEqualTo(201);
    }

    @Test
    void meTellsWhoATokenBelongsTo() throws Exception {
        Response created = http.post("/api/users", ApiTestNode.ADMIN_TOKEN, Map.of("name", "erin-me"));
        String token = created.json().get("token").asText();

        Response user = http.get("/api/me", token);
        assertThat(user.status()).isEqualTo(200);
        assertThat(user.json().get("id").asText()).isEqualTo(created.json().get("id").asText());
        assertThat(user.json().get("name").asText()).isEqualTo("erin-me");
        assertThat(user.json().has("admin")).isFalse();

        Response admin = http.get("/api/me", ApiTestNode.ADMIN_TOKEN);
        assertThat(admin.status()).isEqualTo(200);
        assertThat(admin.json().get("admin").asBoolean()).isTrue();
        assertThat(admin.json().has("id")).isFalse();

        Response wrong = http.get("/api/me", token + "x");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.errorCode()).isEqualTo("unauthorized");
        assertThat(http.get("/api/me", null).status()).isEqualTo(401);
    }

    @Test
    void onlyTheAdminCreatesUsers() throws Exception {
        Response anonymous = http.post("/api/users", null, Map.of("name", "nobody"));
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.errorCode()).isEqualTo("unauthorized");
        assertThat(anonymous.header("WWW-Authenticate")).isEqualTo("Bearer");

        String user = http.newUser("bob-not-admin");
        Response asUser = http.post("/api/users", user, Map.of("name", "carol"));
        assertThat(asUser.status()).isEqualTo(403);
        assertThat(asUser.errorCode()).isEqualTo("forbidden");
    }

    @Test
    void anInvalidTokenIsRefusedEvenWhereNoTokenIsNeeded() throws Exception {
        Response wrong = http.get("/api/videos", "not-a-token");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.errorCode()).isEqualTo("unauthorized");

        Response basic = http.request("GET", "/api/videos").header("Authorization", "Basic YTpi").send();
        assertThat(basic.status()).isEqualTo(401);

        assertThat(http.get("/api/videos", null).status()).isEqualTo(200);
    }

    @Test
    void badUserRequestsAreJsonErrors() throws Exception {
        http.newUser("dave-dup");
        Response dup = http.post("/api/users", ApiTestNode.ADMIN_TOKEN, Map.of("name", "dave-dup"));
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.errorCode()).isEqualTo("name_taken");

        Response badName = http.post("/api/users", ApiTestNode.ADMIN_TOKEN, Map.of("name", "no spaces allowed"));
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.errorCode()).isEqualTo("invalid_field");

        Response missing = http.post("/api/users", ApiTestNode.ADMIN_TOKEN, Map.of());
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.errorCode()).isEqualTo("missing_field");

        Response notJson = http.post("/api/users", ApiTestNode.ADMIN_TOKEN, "{\"name\": ");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.errorCode()).isEqualTo("invalid_json");

        Response huge = http.post("/api/users", ApiTestNode.ADMIN_TOKEN, Map.of("name", "x".repeat(70 * 1024)));
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.errorCode()).isEqualTo("too_large");
    }
}
