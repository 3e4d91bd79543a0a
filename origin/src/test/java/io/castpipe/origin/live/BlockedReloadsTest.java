package io.castpipe.origin.live;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BlockedReloadsTest {
    private static final String KEY = "live/s/360p/index.m3u8";

    @Test
    void aPlaylistReleasesExactlyTheRequestsItSatisfiesAndTheEndReleasesTheRest() {
        BlockedReloads reloads = new BlockedReloads();
        reloads.published(KEY, playlist(4, 0, false));
        CompletableFuture<Void> part50 = parked(reloads, 5, 0);
        CompletableFuture<Void> part51 = parked(reloads, 5, 1);
        CompletableFuture<Void> segment5 = parked(reloads, 5, -1);
        CompletableFuture<Void> part60 = parked(reloads, 6, 0);
        CompletableFuture<Void> segment6 = parked(reloads, 6, -1);
        assertThat(reloads.waiting()).isEqualTo(5);

        reloads.published(KEY, playlist(4, 1, false));
        assertThat(part50).isCompleted();
        assertThat(List.of(part51, segment5, part60, segment6)).noneMatch(CompletableFuture::isDone);

        reloads.published(KEY, playlist(5, 0, false));
        assertThat(List.of(part51, segment5)).allMatch(CompletableFuture::isDone);
        assertThat(List.of(part60, segment6)).noneMatch(CompletableFuture::isDone);
        assertThat(reloads.waiting()).isEqualTo(2);

        reloads.published(KEY, playlist(5, 2, true));
        assertThat(List.of(part60, segment6)).allMatch(CompletableFuture::isDone);
        assertThat(reloads.waiting()).isZero();
    }

    @Test
    void tenThousandRequestsForTheSamePartAreAllReleasedByTheOnePlaylistThatListsIt() {
        BlockedReloads reloads = new BlockedReloads();
        reloads.published(KEY, playlist(4, 2, false));
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            waiting.add(parked(reloads, 5, 2));
        }
        CompletableFuture<Void> next = parked(reloads, 6, 0);
        assertThat(reloads.waiting()).isEqualTo(10_001);

        reloads.published(KEY, playlist(5, 0, false));
        assertThat(waiting).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThat(next).isNotDone();
        assertThat(reloads.waiting()).isEqualTo(1);
    }

    @Test
    void aRequestTheNewestPlaylistAlreadySatisfiesIsNotParked() {
        BlockedReloads reloads = new BlockedReloads();
        reloads.published(KEY, playlist(4, 2, false));
        assertThat(reloads.request(KEY, 5, 1)).isInstanceOf(BlockedReloads.Outcome.Now.class);
        assertThat(reloads.request(KEY, 4, -1)).isInstanceOf(BlockedReloads.Outcome.Now.class);
        assertThat(reloads.waiting()).isZero();
    }

    private static CompletableFuture<Void> parked(BlockedReloads reloads, long msn, int part) {
        BlockedReloads.Outcome outcome = reloads.request(KEY, msn, part);
        assertThat(outcome).as("msn %d part %d", msn, part).isInstanceOf(BlockedReloads.Outcome.Wait.class);
        return ((BlockedReloads.Outcome.Wait) outcome).ready();
    }

    /** An LL-HLS playlist of whole segments 0..{@code lastSegment} and {@code openParts} parts of the next. */
    private static byte[] playlist(long lastSegment, int openParts, boolean ended) {
        StringBuilder b = new StringBuilder("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-PART-INF:PART-TARGET=0.334\n")
                .append("#EXT-X-MEDIA-SEQUENCE:0\n");
        for (long n = 0; n <= lastSegment; n++) {
            b.append("#EXTINF:1.000,\nseg-").append(n).append(".m4s\n");
        }
        for (int p = 0; p < openParts; p++) {
            b.append("#EXT-X-PART:DURATION=0.333,URI=\"part-").append(lastSegment + 1).append('.').append(p).append(".m4s\"\n");
        }
        if (ended) {
            b.append("#EXT-X-ENDLIST\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}
