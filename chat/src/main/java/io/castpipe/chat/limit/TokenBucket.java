package io.castpipe.chat.limit;

import java.time.Duration;

/**
 * At most {@code capacity} takes at once, then one more per {@code refill}. Not thread-safe: a
 * bucket shared by threads is guarded by its owner.
 */
public final class TokenBucket {
    private final long capacityNanos;
    private final long refillNanos;
    /** The bucket is kept as the moment it was (or will have been) empty; full means a capacity's worth of refills ago. */
    private long emptyAt;

    public TokenBucket(int capacity, Duration refill, long nowNanos) {
        this.refillNanos = refill.toNanos();
        this.capacityNanos = capacity * refillNanos;
        this.emptyAt = nowNanos - capacityNanos;
    }

    /** Takes one token if there is one. */
    public boolean tryTake(long nowNanos) {
        long start = Math.max(emptyAt, nowNanos - capacityNanos);
        if (start + refillNanos > nowNanos) {
            return false;
        }
        emptyAt = start + refillNanos;
        return true;
    }

    /** True when as many takes would succeed as when the bucket was new. */
    public boolean isFull(long nowNanos) {
        return emptyAt <= nowNanos - capacityNanos;
    }

    /** How long until {@link #tryTake} would succeed. */
    public Duration untilNext(long nowNanos) {
        long start = Math.max(emptyAt, nowNanos - capacityNanos);
        return Duration.ofNanos(Math.max(0, start + refillNanos - nowNanos));
    }
}
