package io.castpipe.common.node;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SupervisorTest {

    /** A loop that turns until stopped, or throws after its first turn. */
    private static final class Flaky implements Supervisor.Loop {
        private final boolean fail;
        private final CountDownLatch turned;
        private volatile boolean stopped;

        Flaky(boolean fail, CountDownLatch turned) {
            this.fail = fail;
            this.turned = turned;
        }

        @Override
        public void run(Supervisor.Heartbeat heartbeat) throws Exception {
            heartbeat.beat();
            turned.countDown();
            if (fail) {
                throw new IllegalStateException("broker went away");
            }
            while (!stopped) {
                heartbeat.beat();
                Thread.sleep(10);
            }
        }

        @Override
        public void stop() {
            stopped = true;
        }
    }

    @Test
    void aLoopThatFailsIsBuiltAgainAfterABackoffAndCounted() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AtomicInteger built = new AtomicInteger();
        CountDownLatch turned = new CountDownLatch(3);
        try (Supervisor supervisor = new Supervisor(meters)) {
            long start = System.nanoTime();
            Supervised s = supervisor.loop("consumer", Duration.ofSeconds(30),
                    () -> new Flaky(built.incrementAndGet() <= 2, turned));
            assertThat(turned.await(10, TimeUnit.SECONDS)).as("a third instance ran").isTrue();
            // 1 s, then 2 s of backoff between the instances
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(2900));
            assertThat(built.get()).isEqualTo(3);
            Supervised.Status status = s.status();
            assertThat(status.state()).isEqualTo(Supervised.State.RUNNING);
            assertThat(status.restarts()).isEqualTo(2);
            assertThat(status.lastFailure()).contains("broker went away");
            assertThat(meters.counter("castpipe.supervised.restarts", "name", "consumer").count()).isEqualTo(2);
            assertThat(meters.get("castpipe.supervised.running").tag("name", "consumer").gauge().value()).isEqualTo(1);

            s.close();
            assertThat(s.status().state()).isEqualTo(Supervised.State.STOPPED);
            assertThat(built.get()).as("a stopped loop is not built again").isEqualTo(3);
            assertThat(supervisor.statuses()).isEmpty();
        }
    }

    @Test
    void aLoopThatReturnsWithoutBeingStoppedIsRestartedAndOneThatStopsIsNot() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (Supervisor supervisor = new Supervisor(new SimpleMeterRegistry())) {
            Supervised s = supervisor.loop("returns", Duration.ofSeconds(30), () -> new Supervisor.Loop() {
                @Override
                public void run(Supervisor.Heartbeat heartbeat) {
                    runs.incrementAndGet();
                }

                @Override
                public void stop() {
                }
            });
            waitFor(() -> runs.get() >= 2, Duration.ofSeconds(5));
            assertThat(s.status().lastFailure()).isEqualTo("returned without being stopped");
            long closing = System.nanoTime();
            s.close();
            assertThat(Duration.ofNanos(System.nanoTime() - closing)).as("close does not wait out a backoff")
                    .isLessThan(Duration.ofSeconds(1));
            int ran = runs.get();
            Thread.sleep(1500);
            assertThat(runs.get()).as("a closed loop is not run again").isEqualTo(ran);
        }
    }

    @Test
    void aLoopThatStopsBeatingIsWedgedUntilItBeatsAgain() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Supervisor supervisor = new Supervisor(new SimpleMeterRegistry())) {
            Supervised s = supervisor.loop("stuck", Duration.ofMillis(200), () -> new Supervisor.Loop() {
                private volatile boolean stopped;

                @Override
                public void run(Supervisor.Heartbeat heartbeat) throws InterruptedException {
                    heartbeat.beat();
                    release.await(); // as a write to a pipe nobody reads would
                    while (!stopped) {
                        heartbeat.beat();
                        Thread.sleep(10);
                    }
                }

                @Override
                public void stop() {
                    stopped = true;
                    release.countDown();
                }
            });
            waitFor(() -> s.status().wedged(), Duration.ofSeconds(5));
            release.countDown();
            waitFor(() -> !s.status().wedged(), Duration.ofSeconds(5));
        }
    }

    @Test
    void aPeriodicTaskThatThrowsRunsAgainAtItsNextTurn() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AtomicInteger turns = new AtomicInteger();
        try (Supervisor supervisor = new Supervisor(meters)) {
            Supervised s = supervisor.every("sweeper", Duration.ofMillis(20), Duration.ofSeconds(30), () -> {
                if (turns.incrementAndGet() % 2 == 1) {
                    throw new java.io.IOException("storage unreachable");
                }
            });
            waitFor(() -> turns.get() >= 6, Duration.ofSeconds(5));
            assertThat(meters.counter("castpipe.supervised.failures", "name", "sweeper").count()).isGreaterThanOrEqualTo(3);
            assertThat(s.status().restarts()).as("a failed turn is not a failed loop").isZero();
            assertThat(s.status().state()).isEqualTo(Supervised.State.RUNNING);
        }
        int after = turns.get();
        Thread.sleep(100);
        assertThat(turns.get()).as("no turn after close").isEqualTo(after);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within " + limit).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
