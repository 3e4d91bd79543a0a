package io.castpipe.chat.limit;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** With a hand-set clock. */
class TokenBucketTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void aFullBucketGivesItsCapacityThenOneTokenPerRefill() {
        long now = 1_000 * SECOND;
        TokenBucket bucket = new TokenBucket(5, Duration.ofSeconds(1), now);
        for (int i = 0; i < 5; i++) {
            assertThat(bucket.tryTake(now)).as("token %d", i).isTrue();
        }
        assertThat(bucket.tryTake(now)).isFalse();
        assertThat(bucket.untilNext(now)).isEqualTo(Duration.ofSeconds(1));
        assertThat(bucket.tryTake(now + SECOND / 2)).isFalse();
        assertThat(bucket.tryTake(now + SECOND)).isTrue();
        assertThat(bucket.tryTake(now + SECOND)).isFalse();
    }

    @Test
    void anIdleBucketRefillsToItsCapacityAndNoMore() {
        long now = 1_000 * SECOND;
        TokenBucket bucket = new TokenBucket(5, Duration.ofSeconds(1), now);
        for (int i = 0; i < 5; i++) {
            bucket.tryTake(now);
        }
        long later = now + 60 * SECOND;
        int taken = 0;
        while (bucket.tryTake(later)) {
            taken++;
        }
        assertThat(taken).isEqualTo(5);
    }
}
