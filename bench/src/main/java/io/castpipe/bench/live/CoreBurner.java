package io.castpipe.bench.live;

import java.io.IOException;
import java.time.Duration;

/**
 * Another process keeping one core busy (a shell spinning in a loop) for a while, then stopped:
 * the load a node sharing its machine meets.
 */
final class CoreBurner implements AutoCloseable {
    private final Process spinner;
    private final long startedAt = System.currentTimeMillis();
    private volatile long stoppedAt = Long.MAX_VALUE;
    private final Thread timer;

    private CoreBurner(Process spinner, Duration lasting) {
        this.spinner = spinner;
        this.timer = new Thread(() -> {
            try {
                Thread.sleep(lasting.toMillis());
                stop();
            } catch (InterruptedException e) {
                // closed first
            }
        }, "core-burner");
        timer.setDaemon(true);
        timer.start();
    }

    static CoreBurner start(Duration lasting) throws IOException {
        return new CoreBurner(new ProcessBuilder("sh", "-c", "while :; do :; done").start(), lasting);
    }

    long startedAt() {
        return startedAt;
    }

    long stoppedAt() {
        return stoppedAt;
    }

    boolean busyBetween(long fromMs, long toMs) {
        return startedAt < toMs && stoppedAt > fromMs;
    }

    private synchronized void stop() {
        if (spinner.isAlive()) {
            spinner.destroyForcibly();
            stoppedAt = System.currentTimeMillis();
        }
    }

    @Override
    public void close() {
        timer.interrupt();
        stop();
    }
}
