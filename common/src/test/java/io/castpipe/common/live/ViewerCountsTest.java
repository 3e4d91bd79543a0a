package io.castpipe.common.live;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Summing the origin nodes' reports, with a hand-set clock. */
class ViewerCountsTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ViewerCounts counts = new ViewerCounts(now::get);

    @Test
    void theLatestReportOfEachNodeIsSummedWhileItIsFresh() {
        counts.reported("s1", "origin-a", 3);
        counts.reported("s1", "origin-b", 4);
        counts.reported("s1", "origin-a", 5);
        counts.reported("s2", "origin-a", 1);
        assertThat(counts.viewers("s1")).isEqualTo(9);
        assertThat(counts.viewers("s2")).isEqualTo(1);
        assertThat(counts.viewers("s3")).isZero();

        advance(Duration.ofSeconds(10));
        counts.reported("s1", "origin-a", 5);
        advance(Duration.ofSeconds(6));
        assertThat(counts.viewers("s1")).as("origin-b went quiet 16 s ago").isEqualTo(5);
        counts.reported("s1", "origin-b", 2);
        assertThat(counts.viewers("s1")).isEqualTo(7);
    }

    @Test
    void aZeroReportOrTheEndOfTheStreamForgetsIt() {
        counts.reported("s1", "origin-a", 3);
        counts.reported("s1", "origin-b", 4);
        counts.reported("s1", "origin-b", 0);
        assertThat(counts.viewers("s1")).isEqualTo(3);
        counts.ended("s1");
        assertThat(counts.viewers("s1")).isZero();
    }

    @Test
    void streamsAreBoundedAndStaleOnesMakeRoom() {
        for (int i = 0; i < ViewerCounts.MAX_STREAMS; i++) {
            counts.reported("s" + i, "origin-a", 1);
        }
        counts.reported("one-too-many", "origin-a", 1);
        assertThat(counts.viewers("one-too-many")).isZero();

        advance(Duration.ofSeconds(16));
        counts.reported("one-too-many", "origin-a", 1);
        assertThat(counts.viewers("one-too-many")).isEqualTo(1);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }
}
