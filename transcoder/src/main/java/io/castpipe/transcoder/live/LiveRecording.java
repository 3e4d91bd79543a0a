package io.castpipe.transcoder.live;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.castpipe.common.events.RenditionInfo;
import io.castpipe.common.events.VideoEvent;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.ObjectInfo;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.packager.hls.MediaPlaylist;
import io.castpipe.packager.hls.Variant;
import io.castpipe.packager.live.LiveNames;
import io.castpipe.transcoder.vod.Rung;

/**
 * Live → VOD: a finished stream becomes a video with the stream's id. Its segments are copied
 * inside the bucket to {@code vod/{streamId}/}, each rendition's full playlist becomes its
 * {@code index.m3u8} there, and the master goes last, exactly as for an uploaded video; the READY
 * event then makes the API's video row (created when the stream started) playable.
 */
final class LiveRecording {
    private LiveRecording() {
    }

    /** @return the READY event, or null when the stream left nothing to play */
    static VideoEvent publish(ObjectStore store, String streamId, List<Rung> rungs, double frameRate) throws Exception {
        List<RenditionInfo> renditions = new ArrayList<>();
        double duration = 0;
        for (Rung r : rungs) {
            String vodKey = ObjectKeys.liveFile(streamId, r.name(), LiveNames.VOD_PLAYLIST);
            if (store.head(vodKey).isEmpty()) {
                return null;
            }
            String playlist;
            try (InputStream in = store.get(vodKey)) {
                playlist = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Map<String, Long> sizes = new HashMap<>();
            for (ObjectInfo o : store.list(ObjectKeys.livePrefix(streamId) + r.name() + "/")) {
                String file = o.key().substring(o.key().lastIndexOf('/') + 1);
                if (file.endsWith(".m4s") || file.endsWith(".mp4")) {
                    store.copy(o.key(), ObjectKeys.vodFile(streamId, r.name(), file));
                    sizes.put(file, o.size());
                }
            }
            store.put(ObjectKeys.vodFile(streamId, r.name(), "index.m3u8"), playlist.getBytes(StandardCharsets.UTF_8),
                    "application/vnd.apple.mpegurl");
            MediaPlaylist parsed = MediaPlaylist.parse(playlist);
            duration = Math.max(duration, parsed.durationSeconds());
            long peak = r.peakBitsPerSecond();
            long average = r.averageBitsPerSecond();
            if (r.isSource()) {
                // Copied, not encoded by us: what it takes is what it took.
                Variant measured = Variant.measure(r.name(), parsed, 0,
                        parsed.segments().stream().map(s -> sizes.getOrDefault(s.uri(), 0L)).toList(),
                        r.width(), r.height(), List.of(), frameRate);
                peak = measured.bandwidth();
                average = measured.averageBandwidth();
            }
            renditions.add(new RenditionInfo(r.name(), r.width(), r.height(), peak, average, null, frameRate));
        }
        store.copy(ObjectKeys.liveMaster(streamId), ObjectKeys.vodMaster(streamId));
        return VideoEvent.ready(streamId, duration, null, renditions);
    }
}
