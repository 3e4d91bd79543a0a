package io.castpipe.transcoder.live;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.castpipe.packager.live.LivePlaylist;
import io.castpipe.packager.live.RenditionReports;
import io.castpipe.transcoder.vod.Rung;

/**
 * What the packagers of one live stream share across its ffmpeg processes: where each rendition
 * stands for the others' rendition reports, where its last segment ends and who publishes it,
 * and, while a standby ffmpeg is taking the stream over, each rendition's {@link RenditionHandover}.
 */
final class Handovers {
    private final RenditionReports reports = new RenditionReports();
    private final Map<String, Long> closedUntil = new ConcurrentHashMap<>();
    /** Per rendition, how its publisher closes the open segment short once its ffmpeg is stopped. */
    private final Map<String, Runnable> cutShort = new ConcurrentHashMap<>();
    private volatile Map<String, RenditionHandover> pending = Map.of();
    private volatile RenditionSink standby;

    RenditionReports reports() {
        return reports;
    }

    /**
     * A standby whose output goes to {@code sink} starts taking over every one of {@code rungs};
     * {@code shedding} when the running ffmpeg is behind real time.
     */
    void begin(List<Rung> rungs, RenditionSink sink, boolean shedding) {
        cancel();
        standby = sink;
        pending = rungs.stream().collect(Collectors.toUnmodifiableMap(Rung::name,
                r -> new RenditionHandover(shedding, closedUntil.getOrDefault(r.name(), 0L))));
    }

    /** {@code rung} is published by the packager that would run {@code cut} to close its open segment short. */
    void publishing(String rung, Runnable cut) {
        cutShort.put(rung, cut);
    }

    /** The standby's handover of {@code rung}, or null when {@code sink} is not the standby (any more). */
    RenditionHandover forStandby(RenditionSink sink, String rung) {
        return sink == standby ? pending.get(rung) : null;
    }

    /** A packager other than the standby closed a segment; true once {@code rung} is the standby's. */
    boolean segmentClosed(RenditionSink sink, String rung, long endEpochMs, LivePlaylist playlist) {
        closedUntil.put(rung, endEpochMs);
        RenditionHandover h = sink == standby ? null : pending.get(rung);
        try {
            return h != null && h.segmentClosed(endEpochMs, playlist);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether the standby could go on at once from where each rendition it has not taken stands ({@link RenditionHandover#standbyAhead}). */
    boolean standbyAhead(long leadMs) {
        Map<String, RenditionHandover> p = pending;
        return !p.isEmpty() && p.values().stream().allMatch(h -> h.standbyAhead(leadMs));
    }

    /**
     * The running ffmpeg is stopped and its readers are gone: each rendition the standby has not
     * taken yet closes its open segment short, and is the standby's from its first keyframe after.
     */
    void forceRest() {
        pending.forEach((rung, h) -> {
            if (!h.taken()) {
                h.force();
                Runnable cut = cutShort.get(rung);
                if (cut != null) {
                    cut.run();
                }
            }
        });
    }

    /** Every rendition is the standby's. */
    boolean complete() {
        Map<String, RenditionHandover> p = pending;
        return !p.isEmpty() && p.values().stream().allMatch(RenditionHandover::taken);
    }

    /** How many renditions are the standby's already. */
    long taken() {
        return pending.values().stream().filter(RenditionHandover::taken).count();
    }

    /** Where each rendition's handover stands, for a log line. */
    String describe() {
        return pending.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + (e.getValue().taken() ? " taken" : ": " + e.getValue().describe()))
                .collect(Collectors.joining("; "));
    }

    /** The standby is the running ffmpeg now. */
    void done() {
        pending = Map.of();
        standby = null;
    }

    /** The standby is given up; renditions it took already stay its own until it is stopped. */
    void cancel() {
        pending.values().forEach(RenditionHandover::cancel);
        done();
    }
}
