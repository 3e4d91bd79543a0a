package io.castpipe.transcoder.live;

import java.io.InputStream;
import java.time.Instant;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.castpipe.common.events.HlsUpdate;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.packager.cmaf.Fmp4Init;
import io.castpipe.packager.cmaf.Fmp4Reader;
import io.castpipe.packager.cmaf.Fragment;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.packager.live.LiveNames;
import io.castpipe.packager.live.LiveOptions;
import io.castpipe.packager.live.LivePlaylist;
import io.castpipe.packager.live.LivePart;
import io.castpipe.packager.live.LiveRenditionPublisher;
import io.castpipe.packager.live.LiveSegment;
import io.castpipe.packager.live.LiveSegmenter;
import io.castpipe.packager.live.RenditionReports;
import io.castpipe.transcoder.vod.Rung;

/**
 * Where the live ladder's output goes: each rung's fragmented MP4 is read fragment by fragment,
 * cut into segments and published to storage with its playlist, in the same process as ffmpeg.
 */
final class LiveRenditionPackager implements RenditionSink {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LiveRenditionPackager.class);
    /** Objects this small also travel inside their hls.updates record, for the origins' memory. */
    private static final int INLINE_MAX_BYTES = 512 * 1024;

    private final ObjectStore store;
    private final String streamId;
    private final LiveOptions options;
    private final long anchorEpochMs;
    private final LiveMaster master;
    private final Consumer<HlsUpdate> announcer;
    private final BiConsumer<String, Instant> stored;
    /** Where each rung stands, for the rendition reports in the others' playlists. */
    private final RenditionReports reports = new RenditionReports();

    /**
     * @param stored hears, once a rung's segment and the playlist naming it are in storage, the
     *               rung and the wall-clock time its stored media now reaches
     */
    LiveRenditionPackager(ObjectStore store, String streamId, LiveOptions options, long anchorEpochMs, LiveMaster master,
                          Consumer<HlsUpdate> announcer, BiConsumer<String, Instant> stored) {
        this.store = store;
        this.streamId = streamId;
        this.options = options;
        this.anchorEpochMs = anchorEpochMs;
        this.master = master;
        this.announcer = announcer;
        this.stored = stored;
    }

    /**
     * A rendition another worker was packaging (its playlist is in storage, not ended) goes on
     * from where that worker left it, after a discontinuity, so players need not reload.
     */
    private java.util.Optional<LivePlaylist> takeOver(Rung rung) throws java.io.IOException {
        String key = ObjectKeys.liveFile(streamId, rung.name(), LiveNames.PLAYLIST);
        if (store.head(key).isEmpty()) {
            return java.util.Optional.empty();
        }
        String text;
        try (InputStream in = store.get(key)) {
            text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        if (text.contains("#EXT-X-ENDLIST")) {
            throw new StreamEndedException();
        }
        LivePlaylist playlist = LivePlaylist.resume(text, options.windowSegments(), options.segmentTarget());
        log.info("stream {}: taking {} over after segment {}", streamId, rung.name(),
                playlist.lastPosition().map(LivePlaylist.Position::sequence).orElse(-1L));
        return java.util.Optional.of(playlist);
    }

    /** The rendition was ended already: what comes now is media its worker had consumed and not committed. */
    private static final class StreamEndedException extends RuntimeException {
        StreamEndedException() {
            super(null, null, false, false);
        }
    }

    @Override
    public void consume(Rung rung, InputStream fmp4, java.util.function.BooleanSupplier finished) throws Exception {
        LivePlaylist playlist;
        try {
            playlist = takeOver(rung).orElseGet(options::newPlaylist);
        } catch (StreamEndedException e) {
            // Starting it afresh would overwrite its segments from number 0.
            log.info("stream {}: {} has ended already; passing over the media that came again", streamId, rung.name());
            fmp4.transferTo(java.io.OutputStream.nullOutputStream());
            return;
        }
        options.parts(LiveStreamSession.FRAME_RATE).ifPresent(parts -> playlist.withParts(parts.targetSeconds()));
        LiveRenditionPublisher publisher = new LiveRenditionPublisher(store, streamId, rung.name(), playlist,
                announcer, reports, INLINE_MAX_BYTES);
        LiveSegmenter segmenter = options.newSegmenter(anchorEpochMs, new LiveSegmenter.Listener() {
            @Override
            public void onInit(Fmp4Init init, int version) {
                publisher.onInit(init, version);
                master.initReady(rung, init.codecs());
            }

            @Override
            public void onPart(LivePart part) {
                publisher.onPart(part);
            }

            @Override
            public void onSegment(LiveSegment segment) {
                publisher.onSegment(segment);
                master.segmentReady(rung, segment);
                stored.accept(rung.name(), segment.endDateTime());
            }

            @Override
            public void onEnd() {
                publisher.onEnd();
            }
        });
        playlist.lastPosition().ifPresent(segmenter::resumeAfter);
        try (Fmp4Reader reader = new Fmp4Reader(fmp4)) {
            segmenter.onInit(reader.init());
            Fragment f;
            while ((f = reader.next()) != null) {
                segmenter.onFragment(f);
            }
        }
        if (finished.getAsBoolean()) {
            segmenter.end();
        }
    }
}
