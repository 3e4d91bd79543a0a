package io.castpipe.origin.live;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The counter's rules with a hand-set clock. */
class ViewerCounterTest {
    private static final String HLS_JS = "Mozilla/5.0 hls.js";
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ViewerCounter counter = new ViewerCounter(Duration.ofSeconds(20), 3, 5, now::get);

    @Test
    void aViewerIsADistinctAddressAndUserAgent() {
        counter.seen("s1", "203.0.113.7", HLS_JS);
        counter.seen("s1", "203.0.113.7", HLS_JS);
        counter.seen("s1", "203.0.113.7", "VLC/3.0");
        counter.seen("s1", "203.0.113.8", HLS_JS);
        counter.seen("s1", "203.0.113.9", null);
        counter.seen("s2", "203.0.113.7", HLS_JS);

        assertThat(counter.counts()).isEqualTo(Map.of("s1", 4, "s2", 1));
    }

    @Test
    void aViewerWhoStopsRequestingLeavesAfterTheWindowAndTheStreamReportsZeroOnce() {
        counter.seen("s1", "203.0.113.7", HLS_JS);
        counter.seen("s1", "203.0.113.8", HLS_JS);
        advance(Duration.ofSeconds(15));
        counter.seen("s1", "203.0.113.8", HLS_JS); // still polling its playlist
        advance(Duration.ofSeconds(6));
        assertThat(counter.counts()).isEqualTo(Map.of("s1", 1));

        advance(Duration.ofSeconds(20));
        assertThat(counter.counts()).isEqualTo(Map.of("s1", 0));
        assertThat(counter.counts()).isEmpty();

        counter.seen("s1", "203.0.113.7", HLS_JS);
        assertThat(counter.counts()).isEqualTo(Map.of("s1", 1));
    }

    @Test
    void clientsAndStreamsAreBoundedAndExpiredOnesMakeRoom() {
        for (int i = 0; i < 8; i++) {
            counter.seen("s1", "198.51.100." + i, HLS_JS);
        }
        counter.seen("s2", "198.51.100.1", HLS_JS);
        assertThat(counter.counts()).isEqualTo(Map.of("s1", 5));

        advance(Duration.ofSeconds(21));
        assertThat(counter.counts()).isEqualTo(Map.of("s1", 0));
        for (String stream : new String[] {"s1", "s2", "s3", "s4"}) {
            counter.seen(stream, "198.51.100.1", HLS_JS);
        }
        assertThat(counter.counts()).isEqualTo(Map.of("s1", 1, "s2", 1, "s3", 1));

        advance(Duration.ofSeconds(21));
        assertThat(counter.counts()).isEqualTo(Map.of("s1", 0, "s2", 0, "s3", 0));
        counter.seen("s4", "198.51.100.1", HLS_JS);
        assertThat(counter.counts()).isEqualTo(Map.of("s4", 1));
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }
}
