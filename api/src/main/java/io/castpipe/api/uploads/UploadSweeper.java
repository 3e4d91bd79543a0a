package io.castpipe.api.uploads;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every few minutes: aborts unfinished uploads past their expiry, forgets finished ones, and
 * deletes tail files on this node whose upload is gone. Several api nodes may sweep at once;
 * every step is safe to repeat.
 */
public final class UploadSweeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UploadSweeper.class);
    private static final Duration PERIOD = Duration.ofMinutes(5);

    private final UploadRepository uploads;
    private final UploadAborter aborter;
    private final TailFiles tails;
    private ScheduledExecutorService scheduler;

    UploadSweeper(UploadRepository uploads, UploadAborter aborter, TailFiles tails) {
        this.uploads = uploads;
        this.aborter = aborter;
        this.tails = tails;
    }

    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "upload-sweeper");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::sweepQuietly, PERIOD.toSeconds(), PERIOD.toSeconds(), TimeUnit.SECONDS);
    }

    /** @return how many uploads were aborted */
    public int sweep(Instant now) {
        int aborted = 0;
        for (Upload u : uploads.expiredBefore(now)) {
            if (u.completed()) {
                uploads.delete(u.id());
            } else {
                aborter.abort(u);
                aborted++;
                log.info("video {}: upload {} expired unfinished and was aborted", u.videoId(), u.id());
            }
        }
        for (String id : tails.uploadIds()) {
            if (uploads.find(id).isEmpty()) {
                tails.deleteAll(id);
            }
        }
        return aborted;
    }

    private void sweepQuietly() {
        try {
            sweep(Instant.now());
        } catch (RuntimeException e) {
            log.warn("sweeping expired uploads failed, will retry: {}", e.toString());
        }
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
