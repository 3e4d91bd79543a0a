package io.castpipe.api.users;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.castpipe.api.auth.Caller;
import io.castpipe.api.auth.UserTokens;
import io.castpipe.api.http.ApiException;
import io.castpipe.api.http.ApiRequest;
import io.castpipe.api.http.JsonFields;
import io.castpipe.common.http.JsonResponses;
import io.castpipe.common.media.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's API tokens, one per program that acts for them: {@code /api/me/tokens} lists,
 * creates, rotates and revokes the caller's own; {@code /api/users/{id}/tokens} lets the admin
 * give a user a new one (to let them back in) or revoke them all. A token's secret is shown
 * once, when it is made or rotated; a rotated or revoked token stops working at once.
 */
public final class TokensEndpoint {
    private static final Logger log = LoggerFactory.getLogger(TokensEndpoint.class);
    static final int MAX_TOKENS_PER_USER = 20;
    private static final int MAX_NAME = 64;

    private final TokenRepository tokens;
    private final UserRepository users;

    public TokensEndpoint(TokenRepository tokens, UserRepository users) {
        this.tokens = tokens;
        this.users = users;
    }

    public void listOwn(ApiRequest request) throws Exception {
        Caller caller = request.caller();
        caller.requireUser("the admin token has no tokens of its own; use /api/users/{id}/tokens");
        List<Map<String, Object>> items = tokens.list(caller.userId()).stream().map(t -> {
            Map<String, Object> m = view(t);
            m.put("current", t.id().equals(caller.tokenId()));
            return m;
        }).toList();
        JsonResponses.send(request.exchange(), 200, Map.of("items", items));
    }

    public void createOwn(ApiRequest request) throws Exception {
        Caller caller = request.caller();
        caller.requireUser("the admin token has no tokens of its own; use /api/users/{id}/tokens");
        issue(request, caller.userId(), name(request));
    }

    public void rotateOwn(ApiRequest request) throws Exception {
        Caller caller = request.caller();
        caller.requireUser("the admin token has no tokens of its own");
        String tokenId = request.id("tokenId");
        String secret = UserTokens.newToken();
        if (!tokens.replaceHash(caller.userId(), tokenId, UserTokens.hash(secret))) {
            throw ApiException.notFound("you have no token " + tokenId);
        }
        TokenRepository.ApiToken token = tokens.find(caller.userId(), tokenId)
                .orElseThrow(() -> ApiException.notFound("you have no token " + tokenId));
        log.info("user {}: token {} ({}) rotated", caller.userId(), tokenId, token.name());
        Map<String, Object> body = view(token);
        body.put("token", secret);
        JsonResponses.send(request.exchange(), 200, body);
    }

    public void revokeOwn(ApiRequest request) throws Exception {
        Caller caller = request.caller();
        caller.requireUser("the admin token has no tokens of its own");
        String tokenId = request.id("tokenId");
        if (!tokens.delete(caller.userId(), tokenId)) {
            throw ApiException.notFound("you have no token " + tokenId);
        }
        log.info("user {}: token {} revoked", caller.userId(), tokenId);
        request.exchange().setStatusCode(204);
        request.exchange().endExchange();
    }

    /** The admin gives a user another token, e.g. when they lost theirs or all were revoked. */
    public void createForUser(ApiRequest request) throws Exception {
        request.caller().requireAdmin();
        String userId = existingUser(request);
        issue(request, userId, name(request));
    }

    /** The admin revokes every token of a user at once (a leaked machine, a departing person). */
    public void revokeAllOfUser(ApiRequest request) throws Exception {
        request.caller().requireAdmin();
        String userId = existingUser(request);
        int revoked = tokens.deleteAll(userId);
        log.info("user {}: all {} tokens revoked by the admin", userId, revoked);
        request.exchange().setStatusCode(204);
        request.exchange().endExchange();
    }

    private void issue(ApiRequest request, String userId, String name) throws Exception {
        String secret = UserTokens.newToken();
        TokenRepository.ApiToken token = new TokenRepository.ApiToken(Ids.newId(), userId, name, Instant.now());
        if (!tokens.insertUnlessFull(token, UserTokens.hash(secret), MAX_TOKENS_PER_USER)) {
            throw ApiException.conflict("too_many_tokens", "a user may have at most " + MAX_TOKENS_PER_USER
                    + " tokens; revoke one first");
        }
        log.info("user {}: token {} ({}) created", userId, token.id(), name);
        Map<String, Object> body = view(token);
        body.put("token", secret);
        JsonResponses.send(request.exchange(), 201, body);
    }

    private String existingUser(ApiRequest request) throws Exception {
        String userId = request.id("id");
        users.findName(userId).orElseThrow(() -> ApiException.notFound("no user " + userId));
        return userId;
    }

    private static String name(ApiRequest request) {
        String name = new JsonFields(request.json()).text("name").orElse("").strip();
        if (name.isEmpty() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("invalid_field", "'name' must be 1-" + MAX_NAME
                    + " characters without control characters, e.g. \"OBS on the studio PC\"");
        }
        return name;
    }

    private static Map<String, Object> view(TokenRepository.ApiToken t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("name", t.name());
        m.put("createdAt", t.createdAt().toString());
        return m;
    }
}
