package io.castpipe.origin.live;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BlockedReloadsTest {
    private static final String KEY = "live/s/360p/index.m3u8";

    @Test
    void aPlaylistReleasesExactlyTheRequestsItSatisfiesAndTheEndReleasesTheRest() {
        BlockedReloads reloads = new BlockedReloads(BlockedReloads.MAX_WAITING);
        reloads.published(KEY, playlist(4, 0, false));
        Recorded part50 = parked(reloads, 5, 0);
        Recorded part51 = parked(reloads, 5, 1);
        Recorded segment5 = parked(reloads, 5, -1);
        Recorded part60 = parked(reloads, 6, 0);
        Recorded segment6 = parked(reloads, 6, -1);
        assertThat(reloads.waiting()).isEqualTo(5);

        reloads.published(KEY, playlist(4, 1, false));
        assertThat(part50.toldReady()).isTrue();
        assertThat(List.of(part51, segment5, part60, segment6)).noneMatch(Recorded::answered);

        reloads.published(KEY, playlist(5, 0, false));
        assertThat(List.of(part51, segment5)).allMatch(Recorded::toldReady);
        assertThat(List.of(part60, segment6)).noneMatch(Recorded::answered);
        assertThat(reloads.waiting()).isEqualTo(2);

        reloads.published(KEY, playlist(5, 2, true));
        assertThat(List.of(part60, segment6)).allMatch(Recorded::toldReady);
        assertThat(reloads.waiting()).isZero();
    }

    @Test
    void tenThousandRequestsForTheSamePartAreAllReleasedByTheOnePlaylistThatListsIt() {
        BlockedReloads reloads = new BlockedReloads(BlockedReloads.MAX_WAITING);
        reloads.published(KEY, playlist(4, 2, false));
        List<Recorded> waiting = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            waiting.add(parked(reloads, 5, 2));
        }
        Recorded next = parked(reloads, 6, 0);
        assertThat(reloads.waiting()).isEqualTo(10_001);

        reloads.published(KEY, playlist(5, 0, false));
        assertThat(waiting).allMatch(Recorded::toldReady);
        assertThat(next.answered()).isFalse();
        assertThat(reloads.waiting()).isEqualTo(1);
    }

    @Test
    void aRequestTheNewestPlaylistAlreadySatisfiesIsNotParked() {
        BlockedReloads reloads = new BlockedReloads(BlockedReloads.MAX_WAITING);
        reloads.published(KEY, playlist(4, 2, false));
        assertThat(reloads.request(KEY, 5, 1, null)).isInstanceOf(BlockedReloads.Outcome.Now.class);
        assertThat(reloads.request(KEY, 4, -1, null)).isInstanceOf(BlockedReloads.Outcome.Now.class);
        assertThat(reloads.waiting()).isZero();
    }

    @Test
    void aRequestThatWaitedItsLimitExpiresAndNoOtherDoes() {
        BlockedReloads reloads = new BlockedReloads(BlockedReloads.MAX_WAITING);
        reloads.published(KEY, playlist(4, 0, false));
        long parkedAt = System.nanoTime();
        Recorded early = parked(reloads, 5, -1);
        Recorded late = parked(reloads, 5, 0);
        long limit = Duration.ofSeconds(3).toNanos();

        reloads.expireDue(parkedAt + limit - Duration.ofMillis(1).toNanos());
        assertThat(List.of(early, late)).noneMatch(Recorded::answered);
        reloads.expireDue(System.nanoTime() + limit);
        assertThat(List.of(early, late)).allMatch(r -> r.outcome.get().equals("expired"));
        assertThat(reloads.waiting()).isZero();

        reloads.published(KEY, playlist(5, 0, false));
        assertThat(List.of(early, late)).allMatch(r -> r.outcome.get().equals("expired"));
    }

    @Test
    void theWokenAreHandedToTheirExecutorsInBatchesNotOneTaskEach() {
        BlockedReloads reloads = new BlockedReloads(BlockedReloads.MAX_WAITING);
        reloads.published(KEY, playlist(4, 0, false));
        List<Runnable> tasksA = new ArrayList<>();
        List<Runnable> tasksB = new ArrayList<>();
        List<Recorded> onA = new ArrayList<>();
        List<Recorded> onB = new ArrayList<>();
        Executor a = tasksA::add;
        Executor b = tasksB::add;
        for (int i = 0; i < 1_500; i++) {
            onA.add(parked(reloads, 5, 0, a));
            onB.add(parked(reloads, 5, 0, b));
        }
        reloads.published(KEY, playlist(4, 1, false));
        assertThat(onA).noneMatch(Recorded::answered);
        assertThat(tasksA).hasSize((1_500 + BlockedReloads.BATCH - 1) / BlockedReloads.BATCH);
        assertThat(tasksB).hasSize(tasksA.size());

        tasksA.forEach(Runnable::run);
        assertThat(onA).allMatch(Recorded::toldReady);
        assertThat(onB).noneMatch(Recorded::answered);
    }

    @Test
    void eachAddressWaitsOnlyItsShareAndGetsItBackWhenItsRequestsAreAnswered() throws Exception {
        BlockedReloads reloads = new BlockedReloads(2);
        reloads.published(KEY, playlist(4, 0, false));
        InetAddress greedy = InetAddress.getByName("192.0.2.7");
        InetAddress sameSubscriber = InetAddress.getByName("2001:db8:0:1::1");
        InetAddress sameSlash64 = InetAddress.getByName("2001:db8:0:1:ffff::2");
        Recorded first = parked(reloads, 5, 0, greedy);
        Recorded second = parked(reloads, 6, -1, greedy);
        assertThat(reloads.request(KEY, 5, 1, greedy)).isEqualTo(new BlockedReloads.Outcome.AddressOverloaded(2));
        assertThat(reloads.waiting(greedy)).isEqualTo(2);

        // Others are not held back by it; an IPv6 client is its /64.
        parked(reloads, 5, 0, sameSubscriber);
        parked(reloads, 5, 0, sameSlash64);
        assertThat(reloads.request(KEY, 5, 0, InetAddress.getByName("2001:db8:0:1:abcd::3")))
                .isInstanceOf(BlockedReloads.Outcome.AddressOverloaded.class);
        assertThat(parked(reloads, 5, 0, (InetAddress) null).answered()).as("not limited: a trusted proxy").isFalse();

        // Released or expired, its requests give the share back.
        reloads.published(KEY, playlist(4, 1, false));
        assertThat(first.toldReady()).isTrue();
        assertThat(reloads.waiting(greedy)).isEqualTo(1);
        parked(reloads, 6, -1, greedy);
        reloads.expireDue(System.nanoTime() + Duration.ofSeconds(10).toNanos());
        assertThat(second.outcome.get()).isEqualTo("expired");
        assertThat(reloads.waiting(greedy)).isZero();
        assertThat(reloads.waiting(sameSubscriber)).isZero();
        assertThat(reloads.waiting()).isZero();
    }

    /** What a parked request was told: nothing yet, "ready" or "expired" (twice is an error). */
    private static final class Recorded implements BlockedReloads.Waiter {
        private final Executor executor;
        final AtomicReference<String> outcome = new AtomicReference<>();

        Recorded(Executor executor) {
            this.executor = executor;
        }

        @Override
        public Executor executor() {
            return executor;
        }

        @Override
        public void ready() {
            tell("ready");
        }

        @Override
        public void expired() {
            tell("expired");
        }

        private void tell(String what) {
            assertThat(outcome.compareAndSet(null, what)).as("told %s after %s", what, outcome.get()).isTrue();
        }

        boolean answered() {
            return outcome.get() != null;
        }

        boolean toldReady() {
            return "ready".equals(outcome.get());
        }
    }

    private static Recorded parked(BlockedReloads reloads, long msn, int part) {
        return parked(reloads, msn, part, Runnable::run);
    }

    private static Recorded parked(BlockedReloads reloads, long msn, int part, Executor executor) {
        return parked(reloads, msn, part, executor, null);
    }

    private static Recorded parked(BlockedReloads reloads, long msn, int part, InetAddress client) {
        return parked(reloads, msn, part, Runnable::run, client);
    }

    private static Recorded parked(BlockedReloads reloads, long msn, int part, Executor executor, InetAddress client) {
        BlockedReloads.Outcome outcome = reloads.request(KEY, msn, part, client);
        assertThat(outcome).as("msn %d part %d", msn, part).isInstanceOf(BlockedReloads.Outcome.Wait.class);
        Recorded r = new Recorded(executor);
        ((BlockedReloads.Outcome.Wait) outcome).park(r);
        return r;
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
