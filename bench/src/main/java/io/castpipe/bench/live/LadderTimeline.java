package io.castpipe.bench.live;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the node says of its live ladder while the bench plays, from {@code GET /api/streams/{id}}
 * twice a second: each change of preset or of a move under way, with its wall-clock time, and
 * how far behind its input the ladder was at most.
 */
final class LadderTimeline implements AutoCloseable {
    /** A change: at {@code epochMs} the ladder was on {@code preset}, {@code switching} or not. */
    record Change(long epochMs, String preset, boolean switching, double behindSeconds) {
        String describe() {
            return "x264 " + preset + (switching ? ", a standby taking over" : "");
        }
    }

    private final CastpipeNode node;
    private final String channel;
    private final List<Change> changes = new ArrayList<>();
    private final Thread poller;
    private volatile boolean closed;
    private double mostBehind;

    LadderTimeline(CastpipeNode node, String channel) {
        this.node = node;
        this.channel = channel;
        this.poller = new Thread(this::poll, "ladder-timeline");
        poller.setDaemon(true);
        poller.start();
    }

    private void poll() {
        String streamId = null;
        while (!closed) {
            try {
                if (streamId == null) {
                    JsonNode live = node.getAsUser("/api/live");
                    for (JsonNode s : live == null ? List.<JsonNode>of() : live) {
                        if (channel.equals(s.path("channel").asText())) {
                            streamId = s.path("streamId").asText();
                        }
                    }
                } else {
                    JsonNode ladder = node.getAsUser("/api/streams/" + streamId);
                    ladder = ladder == null ? null : ladder.get("ladder");
                    if (ladder != null && ladder.hasNonNull("preset")) {
                        noted(ladder.get("preset").asText(), ladder.get("switching").asBoolean(),
                                ladder.get("behindSeconds").asDouble());
                    }
                }
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void noted(String preset, boolean switching, double behind) {
        mostBehind = Math.max(mostBehind, behind);
        Change last = changes.isEmpty() ? null : changes.get(changes.size() - 1);
        if (last == null || !last.preset().equals(preset) || last.switching() != switching) {
            changes.add(new Change(System.currentTimeMillis(), preset, switching, behind));
        }
    }

    synchronized List<Change> changes() {
        return List.copyOf(changes);
    }

    synchronized double mostBehind() {
        return mostBehind;
    }

    /** The ladder's states between {@code fromMs} and {@code toMs}, e.g. "x264 superfast → x264 ultrafast". */
    synchronized String during(long fromMs, long toMs) {
        List<String> states = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            Change c = changes.get(i);
            long end = i + 1 < changes.size() ? changes.get(i + 1).epochMs() : Long.MAX_VALUE;
            if (c.epochMs() < toMs && end > fromMs) {
                states.add(c.describe());
            }
        }
        return states.isEmpty() ? "–" : String.join(" → ", states);
    }

    static String at(long epochMs, long originMs) {
        return String.format(Locale.ROOT, "%+.0f s", (epochMs - originMs) / 1000.0);
    }

    @Override
    public void close() {
        closed = true;
        poller.interrupt();
    }
}
