package io.castpipe.common.auth;

import java.time.Instant;

/**
 * Signed, expiring permission to play one private video: {@code EXPIRY.SIGNATURE}, where the
 * signature is HMAC-SHA256 over the video id and the expiry (epoch seconds) with the shared
 * signing secret. The API issues them; the origin checks them without a database.
 */
public final class PlaybackTokens {
    private final HmacSigner signer;

    public PlaybackTokens(String secret) {
        this.signer = new HmacSigner(secret);
    }

    public String issue(String videoId, Instant expiresAt) {
        long exp = expiresAt.getEpochSecond();
        return exp + "." + signer.sign(videoId + ":" + exp);
    }

    public boolean verify(String videoId, String token, Instant now) {
        if (token == null) {
            return false;
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot > 12) {
            return false;
        }
        long exp;
        try {
            exp = Long.parseLong(token.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        if (now.getEpochSecond() > exp) {
            return false;
        }
        return signer.verifies(videoId + ":" + exp, token.substring(dot + 1));
    }
}
