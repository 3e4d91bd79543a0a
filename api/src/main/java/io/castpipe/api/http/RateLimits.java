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
 * for requests without a valid token (a failed sign-in counts as a write of its address, so
 * guessing tokens is as slow as writing). The admin is not limited. A bucket holds a minute's
 * allowance and refills evenly, so a page load may burst and a script is held to the rate.
 * Buckets idle for two minutes are full anyway and are forgotten; the number kept is bounded.
 */
public final class RateLimits {
    /** Whether a request spends a read or a write; an upload's bytes spend a read (their size is bounded elsewhere). */
    public enum Kind { READ, WRITE }

    private static final int MAX_BUCKETS = 200_000;

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
        spend(who, kind);
    }

    /** A request whose token was refused: it spends a write of its address. */
    void refusedToken(HttpServerExchange exchange) {
        spend("address " + client(exchange), Kind.WRITE);
    }

    private void spend(String who, Kind kind) {
        Bucket bucket = buckets.get(kind + " " + who, k -> Bucket.builder().addLimit(kind == Kind.READ ? reads : writes).build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            long seconds = Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds() + 1;
            throw ApiException.tooManyRequests(seconds, "too many " + (kind == Kind.READ ? "reads" : "writes")
                    + " from this " + (who.startsWith("user") ? "user" : "address") + "; try again in " + seconds + " s");
        }
    }

    private String client(HttpServerExchange exchange) {
        return AddressLimits.keyOf(ClientAddress.of(exchange, proxies));
    }

    private static Bandwidth perMinute(int n) {
        return Bandwidth.builder().capacity(n).refillGreedy(n, Duration.ofMinutes(1)).build();
    }
}
