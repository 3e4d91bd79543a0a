package io.castpipe.api.auth;

import java.security.MessageDigest;
import java.util.HexFormat;

import io.castpipe.api.http.ApiException;
import io.castpipe.api.users.TokenRepository;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * Finds the caller from {@code Authorization: Bearer TOKEN}. No header is the anonymous caller;
 * a header that does not name the admin or a user is a 401, never a silent downgrade.
 */
public final class Authenticator {
    private static final int MAX_TOKEN_LENGTH = 256;

    private final byte[] adminTokenHash;
    private final TokenRepository tokens;

    public Authenticator(String adminToken, TokenRepository tokens) {
        this.adminTokenHash = UserTokens.sha256(adminToken);
        this.tokens = tokens;
    }

    public Caller authenticate(HttpServerExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (header == null) {
            return Caller.anonymous();
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("the Authorization header must be 'Bearer TOKEN'");
        }
        String token = header.substring(7).trim();
        if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            throw ApiException.unauthorized("the bearer token is not valid");
        }
        byte[] hash = UserTokens.sha256(token);
        // Comparing digests keeps the comparison constant-time whatever the token's length.
        if (MessageDigest.isEqual(hash, adminTokenHash)) {
            return Caller.admin();
        }
        return tokens.findByHash(HexFormat.of().formatHex(hash))
                .map(holder -> Caller.user(holder.userId(), holder.tokenId()))
                .orElseThrow(() -> ApiException.unauthorized("the bearer token is not valid"));
    }
}
