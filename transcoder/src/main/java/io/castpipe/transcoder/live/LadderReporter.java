package io.castpipe.transcoder.live;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.castpipe.common.events.LadderFigures;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.transcoder.vod.Rung;

/**
 * Tells the API how each stream's ladder is encoded — its step and preset, which renditions
 * carry the source, whether a standby is taking it over, how far it is behind, the CPU its
 * ffmpeg uses and whether the CPU budget holds it below the configured ladder — as a LADDER
 * {@link StreamEvent} every {@link #EVERY} and at once when the step or the switching changes. Used by the loop's thread only.
 */
final class LadderReporter {
    static final Duration EVERY = Duration.ofSeconds(5);

    private static final class Reported {
        LadderStep step;
        boolean switching;
        Instant since = Instant.now();
        long at;
    }

    private final EventPublisher publisher;
    private final String node;
    private final String configuredPreset;
    private final LiveBudget budget;
    private final LoadShedder shedder;
    private final Map<String, Reported> streams = new HashMap<>();

    LadderReporter(EventPublisher publisher, String node, String configuredPreset, LiveBudget budget, LoadShedder shedder) {
        this.publisher = publisher;
        this.node = node;
        this.configuredPreset = configuredPreset;
        this.budget = budget;
        this.shedder = shedder;
    }

    /** Reports each session's ladder that changed or was last reported {@link #EVERY} ago. */
    void look(Map<String, LiveStreamSession> sessions, long nowNanos) {
        streams.keySet().retainAll(sessions.keySet());
        sessions.forEach((id, session) -> look(id, session, nowNanos));
    }

    private void look(String streamId, LiveStreamSession session, long nowNanos) {
        if (session.rungs().isEmpty()) {
            return; // no ladder yet
        }
        Reported r = streams.computeIfAbsent(streamId, k -> new Reported());
        LadderStep step = session.step();
        boolean switching = session.switching() != null;
        boolean changed = step != r.step || switching != r.switching;
        if (!changed && nowNanos - r.at < EVERY.toNanos()) {
            return;
        }
        if (r.step != null && step != r.step) {
            r.since = Instant.now();
        }
        r.step = step;
        r.switching = switching;
        r.at = nowNanos;
        List<String> source = session.rungs().stream().map(Rung::name).filter(session.copied()::contains).toList();
        LadderFigures figures = new LadderFigures(Instant.now(), session.preset(), configuredPreset, step.label(), source,
                switching, session.backlog().toMillis() / 1000.0, r.since, Math.round(budget.coresOf(streamId) * 100) / 100.0,
                shedder.heldByBudget(streamId) ? LadderFigures.BUDGET : null);
        publisher.publish(Topic.STREAM_EVENTS, streamId, StreamEvent.ladder(streamId, session.channelId(), figures, node));
    }
}
