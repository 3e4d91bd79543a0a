package io.castpipe.transcoder.vod;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.castpipe.common.events.ErrorInfo;
import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.VideoEvent;
import io.castpipe.common.events.VodJob;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.media.Ids;
import io.castpipe.common.node.DaemonThreads;
import io.castpipe.common.node.Supervisor;
import io.castpipe.transcoder.live.LiveRecording;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of the VOD transcoder consumer group: takes a job at a time from {@code vod.jobs}
 * and commits its offset only once the outcome is durable (the master playlist in storage and
 * READY announced, or FAILED announced). While a job runs, its partition is paused and polling
 * goes on, so the worker stays in the group however long ffmpeg takes; if the partition is taken
 * away, or the node stops, the job is cancelled uncommitted and another worker does it again. A
 * job whose video was deleted ends there: committed, with no event (there is no video to tell).
 */
final class VodJobConsumer implements Supervisor.Loop {
    private static final Logger log = LoggerFactory.getLogger(VodJobConsumer.class);
    static final String GROUP = "castpipe-vod-transcoders";
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);
    /** How long one job waits, in all, for storage or Kafka to come back before its failures count as attempts. */
    static final Duration DEPENDENCY_PATIENCE = Duration.ofMinutes(15);
    private static final Duration DEPENDENCY_CHECK = Duration.ofSeconds(2);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final EventPublisher events;
    private final Supplier<VodTranscode> transcodes;
    private final int maxAttempts;
    private final ExecutorService jobThread;
    private final MeterRegistry meters;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile VodTranscode current;
    private volatile TopicPartition currentPartition;
    private Supervisor.Heartbeat heartbeat = () -> { };

    VodJobConsumer(KafkaSettings kafka, Topics topics, EventPublisher events, Supplier<VodTranscode> transcodes,
                   int maxAttempts, String name, MeterRegistry meters) {
        Properties props = kafka.consumer(GROUP);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        // A dead worker's jobs move on after this long; heartbeats are sent from Kafka's own thread.
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 2_000);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, props.get(ConsumerConfig.CLIENT_ID_CONFIG) + "-" + name);
        this.consumer = new KafkaConsumer<>(props);
        this.topic = topics.name(Topic.VOD_JOBS);
        this.events = events;
        this.transcodes = transcodes;
        this.maxAttempts = maxAttempts;
        this.jobThread = Executors.newSingleThreadExecutor(DaemonThreads.named("vod-job-" + name));
        this.meters = meters;
    }

    @Override
    public void run(Supervisor.Heartbeat heartbeat) {
        this.heartbeat = heartbeat;
        try {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    VodTranscode t = current;
                    if (t != null && partitions.contains(currentPartition)) {
                        log.info("partition {} moved to another worker; cancelling its job", currentPartition);
                        t.cancel();
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                }
            });
            while (!stopping.get()) {
                heartbeat.beat();
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    handle(record);
                    if (stopping.get()) {
                        break;
                    }
                }
            }
        } catch (WakeupException e) {
            if (!stopping.get()) {
                throw e;
            }
        } finally {
            // A loop that failed mid-job cancels it before the next instance (or another member) takes it.
            VodTranscode running = current;
            if (running != null) {
                running.cancel();
            }
            jobThread.shutdownNow();
            try {
                if (!jobThread.awaitTermination(30, TimeUnit.SECONDS)) {
                    log.warn("a cancelled job did not stop within 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        VodJob job;
        try {
            job = EventCodec.decode(record.value(), VodJob.class);
            if (job == null) {
                throw new IllegalArgumentException("null");
            }
            Ids.require(job.videoId());
        } catch (RuntimeException e) {
            log.warn("skipping a vod.jobs record at {}@{} that is not a job: {}", partition, record.offset(), e.getMessage());
            commit(partition, record.offset());
            return;
        }
        consumer.pause(consumer.assignment());
        try {
            Future<Boolean> outcome = jobThread.submit(() -> process(job, partition));
            while (!outcome.isDone()) {
                heartbeat.beat();
                // Paused: keeps this member alive and hears rebalances. A partition assigned meanwhile
                // is not paused, and what it returns is left for later, not passed over.
                ConsumerRecords<String, byte[]> early = consumer.poll(Duration.ofMillis(200));
                for (TopicPartition p : early.partitions()) {
                    consumer.seek(p, early.records(p).get(0).offset());
                }
                consumer.pause(consumer.assignment());
            }
            if (Boolean.TRUE.equals(outcome.get())) {
                commit(partition, record.offset());
            } else {
                again(partition, record.offset());
            }
        } catch (ExecutionException e) {
            log.error("video {}: job crashed; it stays queued for another attempt", job.videoId(), e.getCause());
            again(partition, record.offset());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping.set(true);
        } finally {
            if (!stopping.get()) {
                consumer.resume(consumer.paused());
            }
        }
    }

    /** Runs the job; true once its outcome is durable and the offset may be committed. */
    private boolean process(VodJob job, TopicPartition partition) throws InterruptedException {
        Timer.Sample sample = Timer.start(meters);
        String outcome = runWithRetries(job, partition);
        sample.stop(meters.timer("castpipe.vod.jobs", "outcome", outcome));
        return !outcome.equals("cancelled");
    }

    /** Runs the job, retrying transient failures; returns how it ended. */
    private String runWithRetries(VodJob job, TopicPartition partition) throws InterruptedException {
        String id = job.videoId();
        long waitedNanos = 0;
        for (int attempt = 1; ; ) {
            long attemptStarted = System.nanoTime();
            VodTranscode transcode = transcodes.get();
            current = transcode;
            currentPartition = partition;
            try {
                if (job.isRecording()) {
                    return record(transcode, job);
                }
                Optional<VideoEvent> done = transcode.outcomeOf(id, job.jobId());
                if (done.isPresent()) {
                    events.publishDurably(Topic.VIDEO_EVENTS, id, done.get());
                    log.info("video {}: job {} was done already; its outcome announced again", id, job.jobId());
                    return "already_done";
                }
                events.publish(Topic.VIDEO_EVENTS, id, VideoEvent.processing(id));
                long[] lastReport = {0};
                VideoEvent ready = transcode.run(id, job.sourceKey(), job.jobId(), p -> {
                    long now = System.nanoTime();
                    if (now - lastReport[0] >= PROGRESS_EVERY.toNanos()) {
                        lastReport[0] = now;
                        // The last 5 % is for putting the renditions in storage.
                        events.publish(Topic.VIDEO_EVENTS, id, VideoEvent.progress(id, Math.round(p * 950) / 1000.0));
                    }
                });
                events.publishDurably(Topic.VIDEO_EVENTS, id, ready);
                log.info("video {} ready: {}", id, ready.renditions().stream().map(r -> r.name()).toList());
                return "ready";
            } catch (VodTranscode.CancellationException e) {
                log.info("video {}: job cancelled, left for another worker", id);
                return "cancelled";
            } catch (VodTranscode.VideoDeletedException e) {
                log.info("video {}: deleted while being processed; job dropped and its output removed", id);
                return "deleted";
            } catch (JobFailure e) {
                if (!transcode.diskWritable() && waitedNanos < DEPENDENCY_PATIENCE.toNanos()) {
                    // ffmpeg could not write its output: the disk's doing, not the input's
                    waitedNanos += waitOut(transcode, job, Dependency.DISK, e, attemptStarted);
                    continue;
                }
                log.info("video {} failed: {} ({})", id, e.getMessage(), e.code());
                events.publishDurably(Topic.VIDEO_EVENTS, id, VideoEvent.failed(id, e.code(), e.getMessage()));
                return "failed";
            } catch (IOException | RuntimeException e) {
                if (stopping.get()) {
                    return "cancelled";
                }
                Optional<Dependency> away = dependencyAway(transcode, job, e);
                if (away.isPresent() && waitedNanos < DEPENDENCY_PATIENCE.toNanos()) {
                    waitedNanos += waitOut(transcode, job, away.get(), e, attemptStarted);
                    continue;
                }
                if (attempt >= maxAttempts) {
                    ErrorInfo error = new ErrorInfo("processing_error",
                            "Processing failed " + attempt + " times; the last time: " + e.getMessage());
                    log.error("video {}: giving up after {} attempts", id, attempt, e);
                    events.publishDurably(Topic.VOD_JOBS_DLQ, id, new DeadLetter(job, error, attempt, Instant.now()));
                    events.publishDurably(Topic.VIDEO_EVENTS, id, VideoEvent.failed(id, error.code(), error.message()));
                    return "dead_lettered";
                }
                long backoff = 1000L << Math.min(attempt - 1, 5);
                log.warn("video {}: attempt {} failed ({}); retrying in {} ms", id, attempt, e.toString(), backoff);
                meters.counter("castpipe.vod.retries").increment();
                TimeUnit.MILLISECONDS.sleep(backoff);
                attempt++;
            } finally {
                current = null;
            }
        }
    }

    /** Makes a live stream's recording from storage, as its live worker would have; how it ended. */
    private String record(VodTranscode transcode, VodJob job) throws IOException {
        String id = job.videoId();
        Optional<VideoEvent> ready;
        try {
            ready = transcode.recording(id, update -> events.publish(Topic.HLS_UPDATES, id, update));
        } catch (LiveRecording.StillWrittenException e) {
            log.info("stream {}: {}; its recording is left to its live worker (asked again later if it does not come)",
                    id, e.getMessage());
            return "deferred";
        }
        if (ready.isEmpty()) {
            log.info("stream {}: left nothing to play; its recording is failed", id);
            events.publishDurably(Topic.VIDEO_EVENTS, id, VideoEvent.failed(id, "no_recording",
                    "The stream ended before anything of it could be played."));
            return "failed";
        }
        events.publishDurably(Topic.VIDEO_EVENTS, id, ready.get());
        log.info("stream {}: recording made from storage and ready ({} s)", id, Math.round(ready.get().durationSeconds()));
        return "ready";
    }

    /** What a job needs that is not the job's own doing. */
    private enum Dependency {
        STORAGE("storage unreachable"), KAFKA("Kafka unreachable"), DISK("the local disk full");

        final String said;

        Dependency(String said) {
            this.said = said;
        }
    }

    /**
     * What a failure was really about when it is not the job's: storage that does not answer now,
     * a local disk this worker cannot write to now, a broker that did not take a record in time;
     * empty for a failure of the job itself, which counts as an attempt.
     */
    private static Optional<Dependency> dependencyAway(VodTranscode transcode, VodJob job, Exception e) {
        if (!transcode.storageAnswers(job.sourceKey())) {
            return Optional.of(Dependency.STORAGE);
        }
        if (!transcode.diskWritable()) {
            return Optional.of(Dependency.DISK);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.apache.kafka.common.errors.TimeoutException || t instanceof java.util.concurrent.TimeoutException) {
                return Optional.of(Dependency.KAFKA);
            }
        }
        return Optional.empty();
    }

    /** Waits out a dependency that failed the attempt, which is not counted; returns the attempt's time and the wait's. */
    private long waitOut(VodTranscode transcode, VodJob job, Dependency away, Exception e, long attemptStarted)
            throws InterruptedException {
        log.warn("video {}: {} ({}); waiting for it, the attempt not counted", job.videoId(), away.said, e.toString());
        awaitDependency(transcode, job, away);
        return System.nanoTime() - attemptStarted;
    }

    /** Waits until storage answers again or the disk takes writes again (Kafka: one pause; the next attempt tells), or this worker stops. */
    private void awaitDependency(VodTranscode transcode, VodJob job, Dependency dependency) throws InterruptedException {
        do {
            TimeUnit.MILLISECONDS.sleep(DEPENDENCY_CHECK.toMillis());
        } while (!stopping.get() && switch (dependency) {
            case STORAGE -> !transcode.storageAnswers(job.sourceKey());
            case DISK -> !transcode.diskWritable();
            case KAFKA -> false;
        });
    }

    /**
     * The job is done and durable. A commit refused because the partition moved meanwhile leaves
     * the job to its new owner, who does it again and writes the same keys.
     */
    private void commit(TopicPartition partition, long offset) {
        try {
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(offset + 1)));
        } catch (CommitFailedException | RebalanceInProgressException | org.apache.kafka.common.errors.TimeoutException e) {
            log.warn("{}: the job at offset {} is done but its commit was refused ({}); its new owner does it again",
                    partition, offset, e.toString());
        }
    }

    /** The job is to be done again: by this member, or by the partition's new owner if it moved. */
    private void again(TopicPartition partition, long offset) {
        if (consumer.assignment().contains(partition)) {
            consumer.seek(partition, offset);
        }
    }

    /** Stops polling and cancels a running job, which stays uncommitted. */
    @Override
    public void stop() {
        stopping.set(true);
        VodTranscode t = current;
        if (t != null) {
            t.cancel();
        }
        consumer.wakeup();
    }
}
