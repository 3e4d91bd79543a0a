package io.castpipe.api.streams;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.castpipe.api.outbox.Outbox;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.ReadSpan;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.node.Supervised;
import io.castpipe.common.node.Supervisor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the live streams whose ingest process died: one that sends no ENDED leaves its stream in
 * {@code /api/live}, its origins and its chat for good. Ingest says ALIVE for each stream every
 * 2 s; a live stream not heard of for {@link #SILENCE} is ended here, with the reason
 * {@code ingest_lost}, and an ENDED record goes to {@code stream.events} (through the outbox, in
 * the transaction that ends it) for every other role, as ingest would have sent it. Only the api
 * node that reads the stream's partition ends it, and only for a silence within what it has
 * certainly read of that partition ({@link StreamEventsConsumer#readUpTo}): a backlog, a record
 * that failed to apply or Kafka being away hold that horizon back, and are never taken for
 * ingest's silence; after Kafka was away the silence counts from its return, as ingest could not
 * write meanwhile either. A stream not heard of at all (from an ingest older than ALIVE) is left alone.
 */
public final class StreamReconciler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamReconciler.class);
    /** ALIVE comes and is written every 2 s: three missed in a row. */
    static final Duration SILENCE = Duration.ofSeconds(7);
    static final Duration PERIOD = Duration.ofSeconds(1);
    public static final String INGEST_LOST = "ingest_lost";
    private static final int PER_TURN = 100;

    private final StreamRepository streams;
    private final StreamEventsConsumer events;
    private final Outbox outbox;
    private Supervised turns;

    public StreamReconciler(StreamRepository streams, StreamEventsConsumer events, Outbox outbox) {
        this.streams = streams;
        this.events = events;
        this.outbox = outbox;
    }

    public void start(Supervisor supervisor) {
        turns = supervisor.every("stream-reconciler", PERIOD, Duration.ofSeconds(60), () -> reconcile(Instant.now()));
    }

    /** One turn; returns how many streams it ended. */
    int reconcile(Instant now) throws SQLException {
        int ended = 0;
        for (StreamRepository.Silent s : streams.silentSince(now.minus(SILENCE), PER_TURN)) {
            Optional<ReadSpan> read = events.readUpTo(s.id());
            if (read.isEmpty()) {
                continue;
            }
            // Silent for SILENCE within what this node has certainly read, not merely until now,
            // and since Kafka last came back: ingest's ALIVEs may still be on their way from before.
            Instant before = read.get().appliedUpTo().minus(SILENCE);
            Instant silentFrom = s.lastSeen().isAfter(read.get().answeringSince()) ? s.lastSeen() : read.get().answeringSince();
            if (!silentFrom.isBefore(before)) {
                continue;
            }
            boolean endedNow = outbox.inTransaction("ending stream " + s.id(), tx -> {
                if (!streams.endIfSilent(tx.connection(), s.id(), before, now, INGEST_LOST)) {
                    return false;
                }
                tx.add(Topic.STREAM_EVENTS, s.id(), StreamEvent.ended(s.id(), s.channelId(), s.channelName(), INGEST_LOST));
                return true;
            });
            if (endedNow) {
                log.warn("stream {} on channel {}: nothing from its ingest for {} s; ended ({})", s.id(), s.channelName(),
                        SILENCE.toSeconds(), INGEST_LOST);
                ended++;
            }
        }
        return ended;
    }

    @Override
    public void close() {
        if (turns != null) {
            turns.close();
        }
    }
}
