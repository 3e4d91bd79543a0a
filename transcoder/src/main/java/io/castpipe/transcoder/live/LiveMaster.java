package io.castpipe.transcoder.live;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.packager.hls.MasterPlaylistWriter;
import io.castpipe.packager.hls.Variant;
import io.castpipe.transcoder.vod.Rung;

/**
 * A live stream's master playlist, written once every rendition has its init segment (so the
 * CODECS are the ones the encoder really uses). Bandwidths are the rungs' nominal figures.
 */
final class LiveMaster {
    private final ObjectStore store;
    private final String streamId;
    private final List<Rung> rungs;
    private final double frameRate;
    private final Map<String, List<String>> codecs = new ConcurrentHashMap<>();

    LiveMaster(ObjectStore store, String streamId, List<Rung> rungs, double frameRate) {
        this.store = store;
        this.streamId = streamId;
        this.rungs = rungs;
        this.frameRate = frameRate;
    }

    /** Records a rendition's codecs; writes the master when it was the last one missing. */
    synchronized void initReady(Rung rung, List<String> rungCodecs) {
        boolean first = codecs.put(rung.name(), rungCodecs) == null;
        if (first && codecs.size() == rungs.size()) {
            List<Variant> variants = new ArrayList<>();
            for (Rung r : rungs) {
                variants.add(new Variant(r.name() + "/index.m3u8", r.peakBitsPerSecond(), r.averageBitsPerSecond(),
                        r.width(), r.height(), codecs.get(r.name()), frameRate));
            }
            store.put(ObjectKeys.liveMaster(streamId), MasterPlaylistWriter.write(variants).getBytes(),
                    "application/vnd.apple.mpegurl");
        }
    }
}
