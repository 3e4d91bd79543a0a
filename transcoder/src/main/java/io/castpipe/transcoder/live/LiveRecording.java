package io.castpipe.transcoder.live;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import io.castpipe.common.events.HlsUpdate;
import io.castpipe.common.events.RenditionInfo;
import io.castpipe.common.events.VideoEvent;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.ObjectInfo;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.packager.hls.MasterPlaylist;
import io.castpipe.packager.hls.MediaPlaylist;
import io.castpipe.packager.hls.Variant;
import io.castpipe.packager.live.LiveNames;
import io.castpipe.packager.live.LivePlaylist;
import io.castpipe.packager.live.LiveRenditionPublisher;
import io.castpipe.packager.live.RenditionReports;
import io.castpipe.transcoder.vod.Rung;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live → VOD: a finished stream becomes a video with the stream's id, from what storage holds
 * under {@code live/{streamId}/} alone. Its segments are copied inside the bucket to
 * {@code vod/{streamId}/}, each rendition's full playlist becomes its {@code index.m3u8} there,
 * and the master goes last, exactly as for an uploaded video; the READY event then makes the
 * API's video row (created when the stream started) playable.
 *
 * <p>Working from storage, it also makes the recording of a stream whose worker died before
 * finishing it ({@link #make}): each rendition's stored playlist is ended as its worker would
 * have ended it, the earlier segments restored from the history pieces.
 */
public final class LiveRecording {
    private static final Logger log = LoggerFactory.getLogger(LiveRecording.class);

    /** A playlist written this recently still has a live worker: it is not ended from here. */
    static final Duration STILL_WRITTEN = Duration.ofSeconds(30);

    private LiveRecording() {
    }

    /** The stream is still being packaged by a live worker: ending it from storage would cut it off. */
    public static final class StillWrittenException extends Exception {
        StillWrittenException(String message) {
            super(message);
        }
    }

    /**
     * Ends whatever rendition of the stream is not ended yet, then makes the recording.
     *
     * @param announcer where the ended playlists are announced ({@code hls.updates}), so origins stop waiting
     * @return the READY event, or empty when the stream left nothing to play
     * @throws StillWrittenException when a rendition's playlist was written in the last {@link #STILL_WRITTEN}
     */
    public static Optional<VideoEvent> make(ObjectStore store, String streamId, Consumer<HlsUpdate> announcer)
            throws IOException, StillWrittenException {
        return make(store, streamId, announcer, STILL_WRITTEN);
    }

    static Optional<VideoEvent> make(ObjectStore store, String streamId, Consumer<HlsUpdate> announcer, Duration stillWritten)
            throws IOException, StillWrittenException {
        Optional<String> master = read(store, ObjectKeys.liveMaster(streamId));
        if (master.isEmpty()) {
            return Optional.empty();
        }
        RenditionReports reports = new RenditionReports();
        for (Variant v : MasterPlaylist.parse(master.get())) {
            String rendition = renditionOf(v);
            String key = ObjectKeys.liveFile(streamId, rendition, LiveNames.PLAYLIST);
            Optional<String> stored = read(store, key);
            if (stored.isEmpty() || stored.get().contains("#EXT-X-ENDLIST")) {
                continue;
            }
            Instant written = store.head(key).map(ObjectInfo::lastModified).orElse(Instant.EPOCH);
            if (written.isAfter(Instant.now().minus(stillWritten))) {
                throw new StillWrittenException(rendition + "'s playlist was written " + Duration.between(written, Instant.now())
                        .toSeconds() + " s ago");
            }
            LivePlaylist playlist = LivePlaylist.resume(stored.get(), windowOf(stored.get()), targetOf(stored.get()));
            new LiveRenditionPublisher(store, streamId, rendition, playlist, announcer, reports, 0).onEnd();
            log.info("stream {}: {} ended from storage, its worker having stopped before", streamId, rendition);
        }
        return Optional.ofNullable(publish(store, streamId));
    }

    /** Makes the recording of a stream whose renditions are all ended; null when it left nothing to play. */
    static VideoEvent publish(ObjectStore store, String streamId) throws IOException {
        Optional<String> master = read(store, ObjectKeys.liveMaster(streamId));
        if (master.isEmpty()) {
            return null;
        }
        List<RenditionInfo> renditions = new ArrayList<>();
        double duration = 0;
        for (Variant v : MasterPlaylist.parse(master.get())) {
            String rendition = renditionOf(v);
            Optional<String> playlist = read(store, ObjectKeys.liveFile(streamId, rendition, LiveNames.VOD_PLAYLIST));
            if (playlist.isEmpty()) {
                return null;
            }
            Map<String, Long> sizes = new HashMap<>();
            for (ObjectInfo o : store.list(ObjectKeys.livePrefix(streamId) + rendition + "/")) {
                String file = o.key().substring(o.key().lastIndexOf('/') + 1);
                if (file.endsWith(".m4s") || file.endsWith(".mp4")) {
                    store.copy(o.key(), ObjectKeys.vodFile(streamId, rendition, file));
                    sizes.put(file, o.size());
                }
            }
            store.put(ObjectKeys.vodFile(streamId, rendition, "index.m3u8"), playlist.get().getBytes(StandardCharsets.UTF_8),
                    "application/vnd.apple.mpegurl");
            MediaPlaylist parsed = MediaPlaylist.parse(playlist.get());
            duration = Math.max(duration, parsed.durationSeconds());
            long peak = v.bandwidth();
            long average = v.averageBandwidth();
            if (Rung.SOURCE.equals(rendition)) {
                // Copied, not encoded by us: what it takes is what it took.
                Variant measured = Variant.measure(rendition, parsed, 0,
                        parsed.segments().stream().map(s -> sizes.getOrDefault(s.uri(), 0L)).toList(),
                        v.width(), v.height(), List.of(), v.frameRate());
                peak = measured.bandwidth();
                average = measured.averageBandwidth();
            }
            renditions.add(new RenditionInfo(rendition, v.width(), v.height(), peak, average, null, v.frameRate()));
        }
        store.copy(ObjectKeys.liveMaster(streamId), ObjectKeys.vodMaster(streamId));
        return VideoEvent.ready(streamId, duration, null, renditions);
    }

    private static String renditionOf(Variant v) {
        return v.uri().substring(0, v.uri().indexOf('/'));
    }

    /** The window the stored live playlist had: as many segments as it lists. */
    private static int windowOf(String playlist) {
        int segments = (int) playlist.lines().filter(l -> l.startsWith("#EXTINF:")).count();
        return Math.max(LivePlaylist.MIN_WINDOW, segments);
    }

    private static Duration targetOf(String playlist) {
        return playlist.lines().filter(l -> l.startsWith("#EXT-X-TARGETDURATION:")).findFirst()
                .map(l -> Duration.ofSeconds(Long.parseLong(l.substring("#EXT-X-TARGETDURATION:".length()).trim())))
                .orElse(Duration.ofSeconds(1));
    }

    private static Optional<String> read(ObjectStore store, String key) throws IOException {
        if (store.head(key).isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = store.get(key)) {
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
