package io.castpipe.common.events;

import java.util.Arrays;
import java.util.Map;

import io.castpipe.common.media.LatencyMode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MediaTagCodecTest {

    @Test
    void roundTripsEveryField() {
        byte[] payload = {0x17, 0x01, 0, 0, 0, 1, 2, 3};
        MediaTag tag = new MediaTag("abcdefghij012345", "channel1", MediaTag.Kind.VIDEO, 4_000_000_000L, true, false,
                payload, 1_764_480_000_000L, LatencyMode.NORMAL);
        byte[] bytes = MediaTagCodec.encode(tag);
        assertThat(bytes).hasSize(3 + 16 + 17 + 9 + 4 + payload.length);
        MediaTag back = MediaTagCodec.decode(bytes);
        assertThat(back).usingRecursiveComparison().isEqualTo(tag);
        MediaTag header = new MediaTag("s", "c", MediaTag.Kind.AUDIO, 0, false, true, new byte[0], 1, LatencyMode.NORMAL);
        assertThat(MediaTagCodec.decode(MediaTagCodec.encode(header)).sequenceHeader()).isTrue();
    }

    @Test
    void theLatencyModeTravelsInTheFlagsAndOlderRecordsMeanNormal() {
        for (LatencyMode mode : LatencyMode.values()) {
            MediaTag tag = new MediaTag("s", "c", MediaTag.Kind.VIDEO, 0, true, true, new byte[] {1}, 1, mode);
            MediaTag back = MediaTagCodec.decode(MediaTagCodec.encode(tag));
            assertThat(back.latency()).isEqualTo(mode);
            assertThat(back.keyframe()).isTrue();
            assertThat(back.sequenceHeader()).isTrue();
        }
        byte[] low = MediaTagCodec.encode(new MediaTag("s", "c", MediaTag.Kind.VIDEO, 0, true, false, new byte[1], 1, LatencyMode.LOW));
        byte[] older = low.clone();
        older[2] = 1; // keyframe only, as written before modes existed
        assertThat(MediaTagCodec.decode(older).latency()).isEqualTo(LatencyMode.NORMAL);
        byte[] unknown = low.clone();
        unknown[2] = (byte) (1 | 3 << 2);
        assertThatThrownBy(() -> MediaTagCodec.decode(unknown)).hasMessageContaining("latency mode 3");
    }

    @Test
    void refusesWhatIsNotAMediaTag() {
        byte[] good = MediaTagCodec.encode(new MediaTag("s", "c", MediaTag.Kind.SCRIPT, 0, false, false, new byte[10], 1,
                LatencyMode.NORMAL));
        assertThatThrownBy(() -> MediaTagCodec.decode(Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MediaTagCodec.decode(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        byte[] badKind = good.clone();
        badKind[1] = 7;
        assertThatThrownBy(() -> MediaTagCodec.decode(badKind)).hasMessageContaining("kind 7");
        assertThatThrownBy(() -> MediaTagCodec.decode(EventCodec.encode(Map.of("json", true))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void streamEventsAreJson() {
        StreamEvent started = StreamEvent.started("s1", "c1", "alice", "h264", "aac", Map.of("width", 640.0));
        StreamEvent back = EventCodec.decode(EventCodec.encode(started), StreamEvent.class);
        assertThat(back.type()).isEqualTo(StreamEvent.Type.STARTED);
        assertThat(back.metadata()).containsEntry("width", 640.0);
        assertThat(new String(EventCodec.encode(StreamEvent.ended("s1", "c1", "alice", "done")))).doesNotContain("metadata");

        IngestFigures figures = new IngestFigures(java.time.Instant.parse("2026-11-30T08:00:00Z"), 9, 2480, null, 29.97,
                2.0, 2.002, 1280, 720);
        StreamEvent stats = EventCodec.decode(EventCodec.encode(StreamEvent.stats("s1", "c1", "alice", figures)), StreamEvent.class);
        assertThat(stats.type()).isEqualTo(StreamEvent.Type.STATS);
        assertThat(stats.at()).isEqualTo(figures.measuredAt());
        assertThat(stats.ingest()).isEqualTo(figures);

        String viewers = new String(EventCodec.encode(StreamEvent.viewers("s1", 12, "origin-a")));
        assertThat(viewers).contains("\"type\":\"VIEWERS\"", "\"viewers\":12", "\"node\":\"origin-a\"").doesNotContain("channel");
        StreamEvent report = EventCodec.decode(viewers.getBytes(), StreamEvent.class);
        assertThat(report.viewers()).isEqualTo(12);
        assertThat(report.node()).isEqualTo("origin-a");
    }
}
