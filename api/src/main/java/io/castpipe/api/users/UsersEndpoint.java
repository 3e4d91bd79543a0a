package io.castpipe.api.users;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.castpipe.api.auth.UserTokens;
import io.castpipe.api.http.ApiException;
import io.castpipe.api.http.ApiRequest;
import io.castpipe.api.http.JsonFields;
import io.castpipe.common.http.JsonResponses;
import io.castpipe.common.media.Ids;

/** {@code POST /api/users {"name"}} (admin): a user and the only copy of their first token; {@code GET /api/users}. */
public final class UsersEndpoint {
    private static final int MAX_LISTED = 1000;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final UserRepository users;
    private final UserRemover remover;

    public UsersEndpoint(UserRepository users, UserRemover remover) {
        this.users = users;
        this.remover = remover;
    }

    public void create(ApiRequest request) throws Exception {
        request.caller().requireAdmin();
        String name = new JsonFields(request.json()).requiredText("name").trim();
        if (!NAME.matcher(name).matches()) {
            throw ApiException.badRequest("invalid_field",
                    "'name' must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        String id = Ids.newId();
        String token = UserTokens.newToken();
        TokenRepository.ApiToken first = new TokenRepository.ApiToken(Ids.newId(), id, "default", Instant.now());
        if (!users.create(id, name, first, UserTokens.hash(token))) {
            throw ApiException.conflict("name_taken", "a user named '" + name + "' already exists");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("name", name);
        body.put("token", token);
        body.put("tokenId", first.id());
        JsonResponses.send(request.exchange(), 201, body);
    }

    /** {@code GET /api/users} (admin): every user by name, at most 1,000. */
    public void list(ApiRequest request) throws Exception {
        request.caller().requireAdmin();
        List<Map<String, Object>> items = users.list(MAX_LISTED).stream().map(u -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", u.id());
            m.put("name", u.name());
            m.put("createdAt", u.createdAt().toString());
            return m;
        }).toList();
        JsonResponses.send(request.exchange(), 200, Map.of("items", items));
    }

    /** {@code DELETE /api/users/{id}} (admin): the user and everything theirs ({@link UserRemover}). */
    public void delete(ApiRequest request) throws Exception {
        request.caller().requireAdmin();
        String id = request.id("id");
        users.findName(id).orElseThrow(() -> ApiException.notFound("no user " + id));
        remover.remove(id);
        request.exchange().setStatusCode(204);
        request.exchange().endExchange();
    }
}
