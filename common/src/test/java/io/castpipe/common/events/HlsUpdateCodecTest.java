package io.castpipe.common.events;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HlsUpdateCodecTest {
    private static final Instant AT = Instant.parse("2026-12-07T20:30:01.123456789Z");

    @Test
    void roundTripsEveryFieldAndEveryAbsence() {
        byte[] media = new byte[70_000];
        Arrays.fill(media, (byte) 0x47);
        HlsUpdate full = new HlsUpdate("abcdefghij012345", "720p", HlsUpdate.Kind.PLAYLIST, 4_000_000_000L, 3,
                "live/abcdefghij012345/720p/index.m3u8", "#EXTM3U\n".getBytes(StandardCharsets.UTF_8), AT,
                "#EXTM3U\n#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n".getBytes(StandardCharsets.UTF_8));
        HlsUpdate bare = new HlsUpdate("s", "360p", HlsUpdate.Kind.INIT, 0, null, null, null, null, null);
        HlsUpdate segment = new HlsUpdate("s", "360p", HlsUpdate.Kind.SEGMENT, 7, null, "live/s/360p/seg-7.m4s", media, AT);
        for (HlsUpdate u : new HlsUpdate[] {full, bare, segment}) {
            assertThat(HlsUpdateCodec.decode(HlsUpdateCodec.encode(u))).usingRecursiveComparison().isEqualTo(u);
            assertThat(EventCodec.decode(EventCodec.encode(u), HlsUpdate.class)).usingRecursiveComparison().isEqualTo(u);
        }
        assertThat(HlsUpdateCodec.encode(segment).length).as("no base64: the media plus a small header")
                .isLessThan(media.length + 64);
    }

    @Test
    void readsTheJsonAnEarlierReleaseWrote() throws Exception {
        HlsUpdate u = new HlsUpdate("s", "360p", HlsUpdate.Kind.PART, 9, 2, "live/s/360p/part-9.2.m4s", new byte[] {1, 2, 3}, AT);
        byte[] json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).writeValueAsBytes(u);
        assertThat(EventCodec.decode(json, HlsUpdate.class)).usingRecursiveComparison().isEqualTo(u);
    }

    @Test
    void refusesWhatIsNotAnUpdate() {
        byte[] good = HlsUpdateCodec.encode(new HlsUpdate("s", "360p", HlsUpdate.Kind.SEGMENT, 1, null, "k", new byte[10], AT));
        assertThatThrownBy(() -> HlsUpdateCodec.decode(Arrays.copyOf(good, good.length - 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HlsUpdateCodec.decode(Arrays.copyOf(good, good.length + 1))).hasMessageContaining("after its end");
        assertThatThrownBy(() -> HlsUpdateCodec.decode(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        byte[] badKind = good.clone();
        badKind[1] = 9;
        assertThatThrownBy(() -> EventCodec.decode(badKind, HlsUpdate.class)).hasMessageContaining("kind 9");
        byte[] hugeBlock = good.clone();
        hugeBlock[good.length - 14] = 0x7f; // the block's length, far beyond what follows
        assertThatThrownBy(() -> HlsUpdateCodec.decode(hugeBlock)).isInstanceOf(IllegalArgumentException.class);
    }
}
