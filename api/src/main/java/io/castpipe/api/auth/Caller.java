package io.castpipe.api.auth;

import io.castpipe.api.http.ApiException;

/** Who is asking: nobody (no token), a user (and which of their tokens), or the admin. */
public record Caller(Kind kind, String userId, String tokenId) {

    public enum Kind { ANONYMOUS, USER, ADMIN }

    private static final Caller ANONYMOUS = new Caller(Kind.ANONYMOUS, null, null);
    private static final Caller ADMIN = new Caller(Kind.ADMIN, null, null);

    public static Caller anonymous() {
        return ANONYMOUS;
    }

    public static Caller admin() {
        return ADMIN;
    }

    public static Caller user(String userId, String tokenId) {
        return new Caller(Kind.USER, userId, tokenId);
    }

    public boolean isAdmin() {
        return kind == Kind.ADMIN;
    }

    public boolean isAnonymous() {
        return kind == Kind.ANONYMOUS;
    }

    /** True for the user whose id this is; never for the admin or nobody. */
    public boolean is(String ownerId) {
        return kind == Kind.USER && userId.equals(ownerId);
    }

    public void requireSignedIn() {
        if (isAnonymous()) {
            throw ApiException.unauthorized("this needs a token: send 'Authorization: Bearer TOKEN'");
        }
    }

    /** A user's token, not the admin's: for what belongs to a user, such as their own channels and videos. */
    public void requireUser(String whatForAdmin) {
        requireSignedIn();
        if (isAdmin()) {
            throw ApiException.badRequest("user_required", whatForAdmin);
        }
    }

    public void requireAdmin() {
        requireSignedIn();
        if (!isAdmin()) {
            throw ApiException.forbidden("only the admin token may do this");
        }
    }
}
