package io.castpipe.chat.limit;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** With a hand-set clock. */
class UserLimitsTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void aUserHoldsAtMostTenConnectionsAndTheirConnectionsShareOneBucket() {
        UserLimits limits = new UserLimits(5, Duration.ofSeconds(1));
        UserLimits.User first = limits.connect("u", 0);
        for (int i = 1; i < UserLimits.MAX_CONNECTIONS; i++) {
            assertThat(limits.connect("u", 0)).isSameAs(first);
        }
        assertThat(limits.connect("u", 0)).isNull();
        assertThat(limits.connect("someone-else", 0)).isNotNull();
        limits.disconnect("u");
        assertThat(limits.connect("u", 0)).isSameAs(first);

        for (int i = 0; i < 5; i++) {
            assertThat(first.tryPost(0)).isTrue();
        }
        assertThat(first.tryPost(0)).isFalse();
        assertThat(first.untilNextPost(0)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aUserIsForgottenOnlyWithoutConnectionsAndOnceTheirBucketIsFullAgain() {
        UserLimits limits = new UserLimits(5, Duration.ofSeconds(1));
        UserLimits.User u = limits.connect("u", 0);
        u.tryPost(0);
        u.tryPost(0);
        limits.forgetIdle(10 * SECOND);
        assertThat(limits.size()).as("still connected").isEqualTo(1);

        limits.disconnect("u");
        limits.forgetIdle(SECOND);
        assertThat(limits.size()).as("two messages not refilled yet").isEqualTo(1);
        assertThat(limits.connect("u", SECOND)).as("connecting again finds the same bucket").isSameAs(u);
        limits.disconnect("u");

        limits.forgetIdle(2 * SECOND);
        assertThat(limits.size()).isZero();
    }
}
