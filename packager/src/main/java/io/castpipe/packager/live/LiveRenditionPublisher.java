package io.castpipe.packager.live;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.castpipe.common.events.HlsUpdate;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.ObjectInfo;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.packager.cmaf.Fmp4Init;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts one live rendition in storage as its {@link LiveSegmenter} produces it, under
 * {@code live/{streamId}/{rendition}/}: the init segment, each finished segment, then the media
 * playlist that names it, in that order, and announces each object once it is written (the
 * transcoder puts the announcements on {@code hls.updates}). A segment is always in storage
 * before any playlist names it. Segments that slide out of the window stay: at the end of the
 * stream {@code vod.m3u8} lists them all, and {@code index.m3u8} gets EXT-X-ENDLIST. Before a
 * segment leaves the window it is listed in a {@code history-{n}.m3u8} piece too, so that a
 * playlist resumed by another worker can list the whole stream at the end.
 *
 * <p>With parts, the announced playlist reports the sibling renditions' newest positions from the
 * stream's {@link RenditionReports}, to which this publisher adds its own after each announcement,
 * and carries its delta update when it has segments to skip.
 *
 * <p>A storage failure propagates out of the segmenter call that caused it, before anything
 * that depends on the failed object is written or announced.
 */
public final class LiveRenditionPublisher implements LiveSegmenter.Listener {
    private static final Logger log = LoggerFactory.getLogger(LiveRenditionPublisher.class);
    private static final String MP4 = "video/mp4";
    private static final String SEGMENT = "video/iso.segment";
    private static final String M3U8 = "application/vnd.apple.mpegurl";

    private final ObjectStore store;
    private final String streamId;
    private final String rendition;
    private final LivePlaylist playlist;
    private final Consumer<HlsUpdate> announcer;
    private final RenditionReports reports;
    private final int inlineMaxBytes;
    private final Clock clock;

    /**
     * @param inlineMaxBytes objects up to this size travel inside their {@link HlsUpdate} for hot
     *                       delivery; 0 sends none
     * @param reports        the positions of this stream's renditions, shared by their publishers
     */
    public LiveRenditionPublisher(ObjectStore store, String streamId, String rendition, LivePlaylist playlist,
                                  Consumer<HlsUpdate> announcer, RenditionReports reports, int inlineMaxBytes) {
        this(store, streamId, rendition, playlist, announcer, reports, inlineMaxBytes, Clock.systemUTC());
    }

    LiveRenditionPublisher(ObjectStore store, String streamId, String rendition, LivePlaylist playlist,
                           Consumer<HlsUpdate> announcer, RenditionReports reports, int inlineMaxBytes, Clock clock) {
        this.store = store;
        this.streamId = streamId;
        this.rendition = rendition;
        this.playlist = playlist;
        this.announcer = announcer;
        this.reports = reports;
        this.inlineMaxBytes = inlineMaxBytes;
        this.clock = clock;
    }

    public LivePlaylist playlist() {
        return playlist;
    }

    public String key(String file) {
        return ObjectKeys.liveFile(streamId, rendition, file);
    }

    @Override
    public void onInit(Fmp4Init init, int version) {
        put(HlsUpdate.Kind.INIT, version, LiveNames.init(version), init.bytes(), MP4);
    }

    /**
     * With parts on, each part goes to the origins in its announcement only, and the playlist
     * naming it with it: storage gets the segment the parts make up, not the parts, so no part
     * waits for a storage round trip. A part too large to travel inline is stored first.
     */
    @Override
    public void onPart(LivePart part) {
        if (playlist.partTarget() == 0) {
            return;
        }
        String key = key(LiveNames.part(part.segmentSequence(), part.index()));
        byte[] bytes = part.fragment().bytes();
        boolean inline = bytes.length <= inlineMaxBytes;
        if (!inline) {
            store.put(key, bytes, SEGMENT);
        }
        announcer.accept(new HlsUpdate(streamId, rendition, HlsUpdate.Kind.PART, part.segmentSequence(), part.index(), key,
                inline ? bytes : null, clock.instant()));
        playlist.addPart(part);
        announcePlaylist(part.segmentSequence());
    }

    @Override
    public void onSegment(LiveSegment segment) {
        put(HlsUpdate.Kind.SEGMENT, segment.sequence(), LiveNames.segment(segment.sequence()), segment.bytes(), SEGMENT);
        playlist.historyDue().ifPresent(piece -> {
            byte[] text = LivePlaylistWriter.write(piece.withoutParts()).getBytes(StandardCharsets.UTF_8);
            store.put(key(LiveNames.history(piece.mediaSequence())), text, M3U8);
            playlist.historyStored(piece);
        });
        playlist.add(segment);
        writePlaylist(segment.sequence());
    }

    @Override
    public void onEnd() {
        playlist.end();
        if (playlist.startsMidway()) {
            int unreadable = playlist.restoreEarlier(storedHistory());
            if (unreadable > 0) {
                log.warn("stream {}: {}: {} unreadable history piece(s) skipped; the recording lacks their segments",
                        streamId, rendition, unreadable);
            }
        }
        if (playlist.size() > 0) {
            byte[] vod = LivePlaylistWriter.write(playlist.vod()).getBytes(StandardCharsets.UTF_8);
            store.put(key(LiveNames.VOD_PLAYLIST), vod, M3U8);
        }
        writePlaylist(playlist.size() - 1L);
    }

    private List<String> storedHistory() {
        List<String> pieces = new ArrayList<>();
        for (ObjectInfo o : store.list(key(LiveNames.HISTORY_PREFIX))) {
            try (InputStream in = store.get(o.key())) {
                pieces.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + o.key(), e);
            }
        }
        return pieces;
    }

    /**
     * Storage gets the playlist as whole segments (an origin that has not heard the announcements
     * serves that; parts are not in storage), the announcement the playlist with its parts.
     */
    private void writePlaylist(long lastSequence) {
        PlaylistSnapshot live = playlist.live();
        store.put(key(LiveNames.PLAYLIST), LivePlaylistWriter.write(live.withoutParts()).getBytes(StandardCharsets.UTF_8), M3U8);
        announcePlaylist(lastSequence, live);
    }

    /** A playlist with a new part is announced only: storage is written again with the next segment. */
    private void announcePlaylist(long sequence) {
        announcePlaylist(sequence, playlist.live());
    }

    private void announcePlaylist(long sequence, PlaylistSnapshot live) {
        PlaylistSnapshot reported = live.withReports(reports.siblingsOf(rendition));
        byte[] bytes = LivePlaylistWriter.write(reported).getBytes(StandardCharsets.UTF_8);
        byte[] delta = reported.delta().map(d -> LivePlaylistWriter.write(d).getBytes(StandardCharsets.UTF_8)).orElse(null);
        boolean inline = bytes.length <= inlineMaxBytes;
        announcer.accept(new HlsUpdate(streamId, rendition, HlsUpdate.Kind.PLAYLIST, sequence, null, key(LiveNames.PLAYLIST),
                inline ? bytes : null, clock.instant(), inline ? delta : null));
        if (live.lowLatencyLive()) {
            live.reportAs(rendition).ifPresent(reports::announced);
        }
    }

    private void put(HlsUpdate.Kind kind, long sequence, String file, byte[] bytes, String contentType) {
        store.put(key(file), bytes, contentType);
        announce(kind, sequence, file, bytes);
    }

    private void announce(HlsUpdate.Kind kind, long sequence, String file, byte[] bytes) {
        announcer.accept(new HlsUpdate(streamId, rendition, kind, sequence, null, key(file),
                bytes.length <= inlineMaxBytes ? bytes : null, clock.instant()));
    }
}
