package io.castpipe.api.http;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.castpipe.api.auth.Caller;
import io.castpipe.common.http.ClientAddress;
import io.castpipe.common.net.AddressLimits;
import io.castpipe.common.net.TrustedProxies;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.undertow.server.HttpServerExchange;

/**
 * Token buckets in front of every endpoint: reads and writes, per user, or per client address
 * for requests without a token; and per address, refused tokens, as many as writes, after which
 * the address's requests with a token are refused before the token is looked up. The admin is
 * not limited. A bucket holds a minute's allowance and refills evenly, so a page load may burst
 * and a script is held to the rate.
 * Buckets idle for two minutes are full anyway and are forgotten; the number kept is bounded.
 */
public final class RateLimits {
    /** Whether a request spends a read or a write; an upload's bytes spend a read (their size is bounded elsewhere). */
    public enum Kind { READ, WRITE }

    private static final int MAX_BUCKETS = 200_000;
    private static final String REFUSED_TOKENS = "refused tokens";

    private final Bandwidth reads;
    private final Bandwidth writes;
    private final TrustedProxies proxies;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .maximumSize(MAX_BUCKETS).expireAfterAccess(Duration.ofMinutes(2)).build();

    public RateLimits(int readsPerMinute, int writesPerMinute, TrustedProxies proxies) {
        this.reads = perMinute(readsPerMinute);
        this.writes = perMinute(writesPerMinute);
        this.proxies = proxies;
    }

    /** Spends one request of {@code caller}; a 429 with the wait when its bucket is empty. */
    void admit(HttpServerExchange exchange, Caller caller, Kind kind) {
        if (caller.isAdmin()) {
            return;
        }
        String who = caller.isAnonymous() ? "address " + client(exchange) : "user " + caller.userId();
        if (kind == Kind.READ) {
            spend("reads", who, reads);
        } else {
            spend("writes", who, writes);
        }
    }

    /**
     * Before a token is looked up: an address that has had as many tokens refused as it may write
     * in a minute gets 429 for every request with a token until the bucket refills, a right token
     * included, so guessing tells nothing faster and costs the database nothing.
     */
    void checkTokenGuesses(HttpServerExchange exchange) {
        String who = "address " + client(exchange);
        Bucket bucket = buckets.getIfPresent(REFUSED_TOKENS + " of " + who);
        if (bucket != null && bucket.getAvailableTokens() < 1) {
            spend(REFUSED_TOKENS, who, writes);
        }
    }

    /** A request whose token was refused spends one of its address's refused tokens. */
    void refusedToken(HttpServerExchange exchange) {
        spend(REFUSED_TOKENS, "address " + client(exchange), writes);
    }

    /** Spends one of {@code what} ("reads") from {@code who}'s ("user u1") bucket; a 429 saying so when it is empty. */
    private void spend(String what, String who, Bandwidth limit) {
        Bucket bucket = buckets.get(what + " of " + who, k -> Bucket.builder().addLimit(limit).build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            long seconds = Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds() + 1;
            throw ApiException.tooManyRequests(seconds, "too many " + what + " from this "
                    + who.substring(0, who.indexOf(' ')) + "; try again in " + seconds + " s");
        }
    }

    private String client(HttpServerExchange exchange) {
        return AddressLimits.keyOf(ClientAddress.of(exchange, proxies));
    }

    private static Bandwidth perMinute(int n) {
        return Bandwidth.builder().capacity(n).refillGreedy(n, Duration.ofMinutes(1)).build();
    }
}
