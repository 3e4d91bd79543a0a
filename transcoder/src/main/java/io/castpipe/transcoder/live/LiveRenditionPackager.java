package io.castpipe.transcoder.live;

import java.io.InputStream;
import java.util.function.Consumer;

import io.castpipe.common.events.HlsUpdate;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.packager.cmaf.Fmp4Init;
import io.castpipe.packager.cmaf.Fmp4Reader;
import io.castpipe.packager.cmaf.Fragment;
import io.castpipe.packager.live.LiveOptions;
import io.castpipe.packager.live.LivePart;
import io.castpipe.packager.live.LiveRenditionPublisher;
import io.castpipe.packager.live.LiveSegment;
import io.castpipe.packager.live.LiveSegmenter;
import io.castpipe.transcoder.vod.Rung;

/**
 * Where the live ladder's output goes: each rung's fragmented MP4 is read fragment by fragment,
 * cut into segments and published to storage with its playlist, in the same process as ffmpeg.
 */
final class LiveRenditionPackager implements RenditionSink {
    /** Objects this small also travel inside their hls.updates record, for the origins' memory. */
    private static final int INLINE_MAX_BYTES = 512 * 1024;

    private final ObjectStore store;
    private final String streamId;
    private final LiveOptions options;
    private final long anchorEpochMs;
    private final LiveMaster master;
    private final Consumer<HlsUpdate> announcer;

    LiveRenditionPackager(ObjectStore store, String streamId, LiveOptions options, long anchorEpochMs, LiveMaster master,
                          Consumer<HlsUpdate> announcer) {
        this.store = store;
        this.streamId = streamId;
        this.options = options;
        this.anchorEpochMs = anchorEpochMs;
        this.master = master;
        this.announcer = announcer;
    }

    @Override
    public void consume(Rung rung, InputStream fmp4) throws Exception {
        LiveRenditionPublisher publisher = new LiveRenditionPublisher(store, streamId, rung.name(), options.newPlaylist(),
                announcer, INLINE_MAX_BYTES);
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
            }

            @Override
            public void onEnd() {
                publisher.onEnd();
            }
        });
        try (Fmp4Reader reader = new Fmp4Reader(fmp4)) {
            segmenter.onInit(reader.init());
            Fragment f;
            while ((f = reader.next()) != null) {
                segmenter.onFragment(f);
            }
        }
        segmenter.end();
    }
}
