package io.castpipe.api.users;

import java.util.Map;

import io.castpipe.api.auth.Caller;
import io.castpipe.api.http.ApiException;
import io.castpipe.api.http.ApiRequest;
import io.castpipe.common.http.JsonResponses;

/**
 * {@code GET /api/me}: who a token belongs to — {@code {"id","name"}} for a user,
 * {@code {"admin":true}} for the admin token — so a page can greet the signed-in user and
 * offer the admin what only the admin may do. No token is a 401, like a bad one.
 */
public final class MeEndpoint {
    private final UserRepository users;

    public MeEndpoint(UserRepository users) {
        this.users = users;
    }

    public void get(ApiRequest request) throws Exception {
        Caller caller = request.caller();
        caller.requireSignedIn();
        if (caller.isAdmin()) {
            JsonResponses.send(request.exchange(), 200, Map.of("admin", true));
            return;
        }
        // The token was just found, so only a user deleted in between has no name.
        String name = users.findName(caller.userId())
                .orElseThrow(() -> ApiException.unauthorized("the bearer token is not valid"));
        JsonResponses.send(request.exchange(), 200, Map.of("id", caller.userId(), "name", name));
    }
}
