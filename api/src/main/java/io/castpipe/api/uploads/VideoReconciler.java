package io.castpipe.api.uploads;

import java.time.Duration;
import java.time.Instant;

import io.castpipe.api.http.ApiException;
import io.castpipe.api.outbox.Outbox;
import io.castpipe.api.videos.VideoRepository;
import io.castpipe.common.events.VodJob;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.node.Supervised;
import io.castpipe.common.node.Supervisor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@link #PERIOD}, drives on the videos that stopped on their way from upload to ready:
 * <ul>
 * <li>{@code uploading} with its upload complete and none open for {@link #UPLOADED_GRACE}: the
 * node stopped between the two steps; the video is queued now;</li>
 * <li>{@code queued} or {@code processing} without progress for {@code CASTPIPE_VOD_REDRIVE_MINUTES}:
 * its job is sent again with the same job id. A transcoder that already did it announces the
 * outcome again; one still on it (behind it on the partition) does it once, and then finds it done.</li>
 * <li>the recording of a stream that ended {@link #RECORDING_GRACE} ago and is still processing:
 * the live worker that held the stream stopped before making it; a recording job asks any
 * transcoder to make it from what the stream left in storage (again after
 * {@code CASTPIPE_VOD_REDRIVE_MINUTES} if it does not come).</li>
 * </ul>
 * Several api nodes may run this at once: each step is a conditional update, so one of them wins.
 */
public final class VideoReconciler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VideoReconciler.class);
    static final Duration PERIOD = Duration.ofSeconds(30);
    static final Duration UPLOADED_GRACE = Duration.ofMinutes(1);
    /** A live worker makes the recording within seconds of the stream's end; past this, it stopped first. */
    static final Duration RECORDING_GRACE = Duration.ofMinutes(2);
    private static final int PER_TURN = 100;

    private final VideoRepository videos;
    private final SourceQueue queue;
    private final Outbox outbox;
    private final Duration redriveAfter;
    private Supervised turns;

    VideoReconciler(VideoRepository videos, SourceQueue queue, Outbox outbox, Duration redriveAfter) {
        this.videos = videos;
        this.queue = queue;
        this.outbox = outbox;
        this.redriveAfter = redriveAfter;
    }

    public void start(Supervisor supervisor) {
        turns = supervisor.every("video-reconciler", PERIOD, PERIOD.multipliedBy(4), () -> reconcile(Instant.now()));
    }

    /** One turn; returns how many videos it drove on. */
    public int reconcile(Instant now) {
        int driven = 0;
        for (String id : videos.uploadedButNotQueued(now.minus(UPLOADED_GRACE), PER_TURN)) {
            try {
                queue.queue(id);
                log.info("video {}: its upload had completed without it being queued; queued now", id);
                driven++;
            } catch (ApiException e) {
                log.debug("video {}: not queued after all: {}", id, e.getMessage());
            }
        }
        Instant before = now.minus(redriveAfter);
        for (VideoRepository.Waiting w : videos.withoutProgressSince(before, PER_TURN)) {
            String jobId = w.jobId() != null ? w.jobId() : Ids.newId();
            boolean sent = outbox.inTransaction("re-driving video " + w.id(), tx -> {
                if (outbox.waiting(tx.connection(), Topic.VOD_JOBS, w.id())
                        || !videos.redriven(tx.connection(), w.id(), jobId, before, now)) {
                    return false;
                }
                tx.add(Topic.VOD_JOBS, w.id(), new VodJob(w.id(), ObjectKeys.uploadSource(w.id()), now, jobId));
                return true;
            });
            if (sent) {
                log.warn("video {}: no progress for {} min; transcode job {} sent again", w.id(), redriveAfter.toMinutes(), jobId);
                driven++;
            }
        }
        for (VideoRepository.Waiting w : videos.recordingsOwed(now.minus(RECORDING_GRACE), before, PER_TURN)) {
            String jobId = w.jobId() != null ? w.jobId() : Ids.newId();
            boolean asked = outbox.inTransaction("asking for the recording of stream " + w.id(), tx -> {
                if (outbox.waiting(tx.connection(), Topic.VOD_JOBS, w.id())
                        || !videos.recordingAsked(tx.connection(), w.id(), jobId, before, now)) {
                    return false;
                }
                tx.add(Topic.VOD_JOBS, w.id(), VodJob.recording(w.id(), now, jobId));
                return true;
            });
            if (asked) {
                log.warn("stream {}: ended more than {} s ago without its recording; asked for it from storage (job {})",
                        w.id(), RECORDING_GRACE.toSeconds(), jobId);
                driven++;
            }
        }
        return driven;
    }

    @Override
    public void close() {
        if (turns != null) {
            turns.close();
        }
    }
}
