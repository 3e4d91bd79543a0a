package io.castpipe.transcoder.live;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.packager.hls.MasterPlaylistWriter;
import io.castpipe.packager.hls.Variant;
import io.castpipe.packager.live.LiveSegment;
import io.castpipe.transcoder.vod.Rung;

/**
 * A live stream's master playlist, written once every rendition has its init segment (so the
 * CODECS are the ones the encoder really uses) and its first segment (so a player that reads
 * the master finds every media playlist there: a ladder slow to start otherwise answered 404s
 * that a player gives up after).
 * Encoded renditions carry the rungs' nominal bandwidths; the source's are measured from that
 * first segment, its rate as the average and a quarter more as the peak, since the streamer's
 * encoder, not ours, decides how much it varies.
 */
final class LiveMaster {
    private static final double SOURCE_PEAK_MARGIN = 1.25;

    private final ObjectStore store;
    private final String streamId;
    private final List<Rung> rungs;
    private final double frameRate;
    private final Map<String, List<String>> codecs = new ConcurrentHashMap<>();
    private final Map<String, Long> measuredBitsPerSecond = new ConcurrentHashMap<>();
    private boolean written;

    LiveMaster(ObjectStore store, String streamId, List<Rung> rungs, double frameRate) {
        this.store = store;
        this.streamId = streamId;
        this.rungs = rungs;
        this.frameRate = frameRate;
    }

    /** Records a rendition's codecs; writes the master when it was the last thing missing. */
    synchronized void initReady(Rung rung, List<String> rungCodecs) {
        codecs.putIfAbsent(rung.name(), rungCodecs);
        writeWhenComplete();
    }

    /** Notes a rendition's first segment (a copied source is measured from it); writes the master when that was the last thing missing. */
    synchronized void segmentReady(Rung rung, LiveSegment segment) {
        if (!measuredBitsPerSecond.containsKey(rung.name())) {
            measuredBitsPerSecond.put(rung.name(), Math.round(segment.size() * 8 / Math.max(segment.durationSeconds(), 0.1)));
            writeWhenComplete();
        }
    }

    private void writeWhenComplete() {
        boolean complete = rungs.stream().allMatch(r -> codecs.containsKey(r.name())
                && measuredBitsPerSecond.containsKey(r.name()));
        if (written || !complete) {
            return;
        }
        List<Variant> variants = new ArrayList<>();
        for (Rung r : rungs) {
            long peak = r.peakBitsPerSecond();
            long average = r.averageBitsPerSecond();
            if (r.isSource()) {
                average = measuredBitsPerSecond.get(r.name());
                peak = Math.round(average * SOURCE_PEAK_MARGIN);
            }
            variants.add(new Variant(r.name() + "/index.m3u8", peak, average, r.width(), r.height(),
                    codecs.get(r.name()), frameRate));
        }
        store.put(ObjectKeys.liveMaster(streamId), MasterPlaylistWriter.write(variants).getBytes(),
                "application/vnd.apple.mpegurl");
        written = true;
    }
}
