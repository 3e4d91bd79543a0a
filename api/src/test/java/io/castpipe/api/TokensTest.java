package io.castpipe.api;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.api.HttpTestClient.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A user's named API tokens: several, each rotated or revoked alone; the admin's recovery and revocation. */
class TokensTest {
    private static HttpTestClient http;

    @BeforeAll
    static void start() throws Exception {
        http = ApiTestNode.shared().client();
    }

    @Test
    void aUserHasSeveralNamedTokensAndRotatesOrRevokesEachAlone() throws Exception {
        String first = http.newUser("tokens-ann");
        JsonNode listed = http.get("/api/me/tokens", first).json().get("items");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("name").asText()).isEqualTo("default");
        assertThat(listed.get(0).get("current").asBoolean()).isTrue();
        assertThat(listed.get(0).has("token")).as("a listed token never shows its secret").isFalse();

        Response made = http.post("/api/me/tokens", first, Map.of("name", "OBS on the studio PC"));
        assertThat(made.status()).isEqualTo(201);
        String obsId = made.json().get("id").asText();
        String obs = made.json().get("token").asText();
        assertThat(http.get("/api/me", obs).json().get("name").asText()).isEqualTo("tokens-ann");
        assertThat(names(http.get("/api/me/tokens", obs).json())).containsExactly("default", "OBS on the studio PC");

        // Rotating gives the same token a new secret; the old one stops at once, the others go on.
        Response rotated = http.post("/api/me/tokens/" + obsId + "/rotate", first, Map.of());
        assertThat(rotated.status()).isEqualTo(200);
        String newObs = rotated.json().get("token").asText();
        assertThat(rotated.json().get("id").asText()).isEqualTo(obsId);
        assertThat(newObs).isNotEqualTo(obs);
        assertThat(http.get("/api/me", obs).status()).isEqualTo(401);
        assertThat(http.get("/api/me", newObs).status()).isEqualTo(200);
        assertThat(http.get("/api/me", first).status()).isEqualTo(200);

        assertThat(http.delete("/api/me/tokens/" + obsId, first).status()).isEqualTo(204);
        assertThat(http.get("/api/me", newObs).status()).isEqualTo(401);
        assertThat(http.delete("/api/me/tokens/" + obsId, first).errorCode()).isEqualTo("not_found");
    }

    @Test
    void noUserTouchesAnothersTokensAndTheirNumberAndNamesAreBounded() throws Exception {
        String ben = http.newUser("tokens-ben");
        String cat = http.newUser("tokens-cat");
        String catTokenId = http.get("/api/me/tokens", cat).json().get("items").get(0).get("id").asText();
        assertThat(http.post("/api/me/tokens/" + catTokenId + "/rotate", ben, Map.of()).errorCode()).isEqualTo("not_found");
        assertThat(http.delete("/api/me/tokens/" + catTokenId, ben).errorCode()).isEqualTo("not_found");
        assertThat(http.get("/api/me", cat).status()).isEqualTo(200);

        assertThat(http.post("/api/me/tokens", ben, Map.of("name", "")).errorCode()).isEqualTo("invalid_field");
        assertThat(http.post("/api/me/tokens", ben, Map.of("name", "bad\u0000name")).errorCode()).isEqualTo("invalid_field");
        assertThat(http.post("/api/me/tokens", ben, Map.of("name", "x".repeat(65))).errorCode()).isEqualTo("invalid_field");
        for (int i = 1; i < 20; i++) {
            assertThat(http.post("/api/me/tokens", ben, Map.of("name", "t" + i)).status()).isEqualTo(201);
        }
        assertThat(http.post("/api/me/tokens", ben, Map.of("name", "one too many")).errorCode()).isEqualTo("too_many_tokens");
        assertThat(http.get("/api/me/tokens", ApiTestNode.ADMIN_TOKEN).errorCode()).isEqualTo("user_required");
        assertThat(http.get("/api/me/tokens", null).status()).isEqualTo(401);
    }

    @Test
    void theAdminRevokesEveryTokenOfAUserAndGivesThemANewOne() throws Exception {
        Response created = http.post("/api/users", ApiTestNode.ADMIN_TOKEN, Map.of("name", "tokens-dan"));
        String userId = created.json().get("id").asText();
        String first = created.json().get("token").asText();
        String second = http.post("/api/me/tokens", first, Map.of("name", "laptop")).json().get("token").asText();

        assertThat(http.delete("/api/users/" + userId + "/tokens", first).errorCode()).isEqualTo("forbidden");
        assertThat(http.delete("/api/users/" + userId + "/tokens", ApiTestNode.ADMIN_TOKEN).status()).isEqualTo(204);
        assertThat(http.get("/api/me", first).status()).isEqualTo(401);
        assertThat(http.get("/api/me", second).status()).isEqualTo(401);

        Response issued = http.post("/api/users/" + userId + "/tokens", ApiTestNode.ADMIN_TOKEN, Map.of("name", "recovery"));
        assertThat(issued.status()).isEqualTo(201);
        assertThat(http.get("/api/me", issued.json().get("token").asText()).json().get("id").asText()).isEqualTo(userId);
        assertThat(http.post("/api/users/0123456789abcdef/tokens", ApiTestNode.ADMIN_TOKEN, Map.of("name", "x"))
                .errorCode()).isEqualTo("not_found");
        assertThat(names(http.get("/api/users", ApiTestNode.ADMIN_TOKEN).json())).contains("tokens-dan");
        assertThat(http.get("/api/users", first).status()).isEqualTo(401);
    }

    private static List<String> names(JsonNode list) {
        return list.get("items").findValuesAsText("name");
    }
}
