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
    private final Handovers handovers;
    /** Publishes nothing until the running ffmpeg hands each rendition over. */
    private final boolean standby;

    /**
     * @param stored hears, once a rung's segment and the playlist naming it are in storage, the
     *               rung and the wall-clock time its stored media now reaches
     * @param handovers what the stream's packagers share
     * @param standby   whether this ffmpeg is a standby, taking the renditions over from the running one
     */
    LiveRenditionPackager(ObjectStore store, String streamId, LiveOptions options, long anchorEpochMs, LiveMaster master,
                          Consumer<HlsUpdate> announcer, BiConsumer<String, Instant> stored, Handovers handovers,
                          boolean standby) {
        this.store = store;
        this.streamId = streamId;
        this.options = options;
        this.anchorEpochMs = anchorEpochMs;
        this.master = master;
        this.announcer = announcer;
        this.stored = stored;
        this.handovers = handovers;
        this.standby = standby;
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
        LivePlaylist playlist = null;
        if (!standby) {
            try {
                playlist = takeOver(rung).orElseGet(options::newPlaylist);
            } catch (StreamEndedException e) {
                // Starting it afresh would overwrite its segments from number 0.
                log.info("stream {}: {} has ended already; passing over the media that came again", streamId, rung.name());
                fmp4.transferTo(java.io.OutputStream.nullOutputStream());
                return;
            }
        }
        try (Fmp4Reader reader = new Fmp4Reader(fmp4)) {
            Publishing publishing;
            if (standby) {
                publishing = awaitHandover(rung, reader);
            } else {
                publishing = new Publishing(rung, playlist, anchorEpochMs, playlist.lastPosition());
                publishing.init(reader.init());
            }
            Fragment f;
            while (publishing != null && (f = reader.next()) != null) {
                if (!publishing.fragment(f)) {
                    publishing = null; // the standby publishes from here; this ffmpeg is stopped soon
                }
            }
            if (publishing == null) {
                fmp4.transferTo(java.io.OutputStream.nullOutputStream()); // a blocked output would hold the others back
            } else if (finished.getAsBoolean()) {
                publishing.end();
            }
        }
    }

    /**
     * The standby's output waits at the rendition's {@link RenditionHandover} until the running
     * ffmpeg closes a segment where it has a keyframe; null when it is given up or ends first.
     */
    private Publishing awaitHandover(Rung rung, Fmp4Reader reader) throws java.io.IOException {
        RenditionHandover handover = handovers.forStandby(this, rung.name());
        if (handover == null) {
            return null;
        }
        handover.init(reader.init());
        long base = -1;
        Fragment f;
        while ((f = reader.next()) != null && !handover.cancelled()) {
            if (base < 0) {
                base = f.decodeTime();
            }
            long epochMs = anchorEpochMs + Math.round((f.decodeTime() - base) * 1000.0 / f.timescale());
            RenditionHandover.Taken taken = handover.offer(f, epochMs);
            if (taken != null) {
                log.info("stream {}: {} taken over by the new ffmpeg at {}", streamId, rung.name(),
                        Instant.ofEpochMilli(taken.startEpochMs()));
                Publishing p = new Publishing(rung, taken.playlist(), taken.startEpochMs(), taken.playlist().lastPosition());
                p.init(taken.init());
                for (Fragment waited : taken.fragments()) {
                    p.fragment(waited);
                }
                return p;
            }
        }
        return null;
    }

    /** One rendition being cut into segments and published, until the stream ends or a standby takes it. */
    private final class Publishing implements LiveSegmenter.Listener {
        private final Rung rung;
        private final LiveRenditionPublisher publisher;
        private final LiveSegmenter segmenter;
        private boolean handedOver;

        Publishing(Rung rung, LivePlaylist playlist, long anchorEpochMs, java.util.Optional<LivePlaylist.Position> after) {
            this.rung = rung;
            options.parts(LiveStreamSession.FRAME_RATE).ifPresent(parts -> playlist.withParts(parts.targetSeconds()));
            this.publisher = new LiveRenditionPublisher(store, streamId, rung.name(), playlist, announcer,
                    handovers.reports(), INLINE_MAX_BYTES);
            this.segmenter = options.newSegmenter(anchorEpochMs, this);
            after.ifPresent(segmenter::resumeAfter);
            handovers.publishing(rung.name(), this::cutShort);
        }

        /**
         * Its ffmpeg was stopped for a starved handover and its reader is gone: the open segment
         * closes short, and the rendition is the standby's from there.
         */
        private void cutShort() {
            if (!segmenter.cut() && !handedOver) {
                segmenter.lastSegmentEnd().ifPresent(end -> handedOver = handovers.segmentClosed(LiveRenditionPackager.this,
                        rung.name(), end.toEpochMilli(), publisher.playlist()));
            }
        }

        void init(Fmp4Init init) {
            segmenter.onInit(init);
        }

        /** False once the rendition is the standby's: this one publishes nothing more. */
        boolean fragment(Fragment f) {
            segmenter.onFragment(f);
            return !handedOver;
        }

        void end() {
            segmenter.end();
        }

        @Override
        public void onInit(Fmp4Init init, int version) {
            publisher.onInit(init, version);
            master.initReady(rung, init.codecs());
        }

        @Override
        public void onPart(LivePart part) {
            if (!handedOver) {
                publisher.onPart(part);
            }
        }

        @Override
        public void onSegment(LiveSegment segment) {
            if (handedOver) {
                return;
            }
            publisher.onSegment(segment);
            master.segmentReady(rung, segment);
            stored.accept(rung.name(), segment.endDateTime());
            handedOver = handovers.segmentClosed(LiveRenditionPackager.this, rung.name(),
                    segment.endDateTime().toEpochMilli(), publisher.playlist());
        }

        @Override
        public void onEnd() {
            if (!handedOver) {
                publisher.onEnd();
            }
        }
    }
}
