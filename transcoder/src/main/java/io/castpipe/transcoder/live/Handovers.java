package io.castpipe.transcoder.live;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.castpipe.packager.live.LivePlaylist;
import io.castpipe.packager.live.RenditionReports;
import io.castpipe.transcoder.vod.Rung;

/**
 * What the packagers of one live stream share across its ffmpeg processes: where each rendition
 * stands for the others' rendition reports, and, while a standby ffmpeg is taking the stream
 * over, each rendition's {@link RenditionHandover}.
 */
final class Handovers {
    private final RenditionReports reports = new RenditionReports();
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
        pending = rungs.stream().collect(Collectors.toUnmodifiableMap(Rung::name, r -> new RenditionHandover(shedding)));
    }

    /** The standby's handover of {@code rung}, or null when {@code sink} is not the standby (any more). */
    RenditionHandover forStandby(RenditionSink sink, String rung) {
        return sink == standby ? pending.get(rung) : null;
    }

    /** A packager other than the standby closed a segment; true once {@code rung} is the standby's. */
    boolean segmentClosed(RenditionSink sink, String rung, long endEpochMs, LivePlaylist playlist) {
        RenditionHandover h = sink == standby ? null : pending.get(rung);
        try {
            return h != null && h.segmentClosed(endEpochMs, playlist);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
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
