package io.castpipe.bench.reload;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.castpipe.common.events.HlsUpdate;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;

/**
 * One live rendition announced on {@code hls.updates} as the packager announces it with parts
 * on: 1 s segments of three 333 ms parts, each part announced with its bytes and then the
 * LL-HLS playlist that lists it (a window of six segments, parts listed for the last three, a
 * preload hint for the next). Part {@code k} counts parts from the first announced one:
 * segment {@code FIRST_OPEN + k / 3}, part {@code k % 3}; the third part of a segment completes it.
 */
final class AnnouncedStream implements PartAnnouncer {
    static final int PARTS_PER_SEGMENT = 3;
    static final double PART_TARGET = 0.334;
    private static final long FIRST_OPEN = 5;
    private static final int WINDOW = 6;
    private static final int PART_BYTES = 30_000;
    private static final String RENDITION = "360p";

    final String channel;
    private final String stream = Ids.newId();
    private final EventPublisher kafka;
    private final byte[] partBytes = new byte[PART_BYTES];

    AnnouncedStream(EventPublisher kafka, String channel) {
        this.kafka = kafka;
        this.channel = channel;
    }

    String playlistPath() {
        return playlistPath(channel);
    }

    /** The stream's id, which is its recording's. */
    String streamId() {
        return stream;
    }

    static String playlistPath(String channel) {
        return "/live/" + channel + "/" + RENDITION + "/index.m3u8";
    }

    /** The blocking reload of {@code playlistPath} that asks for part {@code k}. */
    static String blockingReloadPath(String playlistPath, int k) {
        return playlistPath + "?_HLS_msn=" + segmentOf(k) + "&_HLS_part=" + k % PARTS_PER_SEGMENT;
    }

    static long segmentOf(int k) {
        return FIRST_OPEN + k / PARTS_PER_SEGMENT;
    }

    /** The stream's start, and a playlist of whole segments up to the one before the first part. */
    void start() throws Exception {
        kafka.publishDurably(Topic.STREAM_EVENTS, stream,
                StreamEvent.started(stream, Ids.newId(), channel, "avc1", null, Map.of()));
        announcePlaylist(-1);
    }

    /** Announces part {@code k} with its bytes, then the playlist that lists it, and waits until the broker has both. */
    @Override
    public void announcePart(int k) throws Exception {
        String key = ObjectKeys.liveFile(stream, RENDITION, partName(k));
        Future<?> part = kafka.publish(Topic.HLS_UPDATES, stream, new HlsUpdate(stream, RENDITION, HlsUpdate.Kind.PART,
                segmentOf(k), k % PARTS_PER_SEGMENT, key, partBytes, Instant.now()));
        Future<?> playlist = announcePlaylistAsync(k);
        part.get(30, TimeUnit.SECONDS);
        playlist.get(30, TimeUnit.SECONDS);
    }

    void announcePlaylist(int k) throws Exception {
        announcePlaylistAsync(k).get(30, TimeUnit.SECONDS);
    }

    private Future<?> announcePlaylistAsync(int k) {
        byte[] text = playlist(k).getBytes(StandardCharsets.UTF_8);
        return kafka.publish(Topic.HLS_UPDATES, stream, new HlsUpdate(stream, RENDITION, HlsUpdate.Kind.PLAYLIST,
                lastWhole(k), null, ObjectKeys.liveFile(stream, RENDITION, "index.m3u8"), text, Instant.now()));
    }

    /** The last whole segment once part {@code k} is out (-1: none of the parts yet). */
    private static long lastWhole(int k) {
        return k < 0 ? FIRST_OPEN - 1 : k % PARTS_PER_SEGMENT == PARTS_PER_SEGMENT - 1 ? segmentOf(k) : segmentOf(k) - 1;
    }

    /** The playlist that lists part {@code k} last (-1: whole segments only, up to the one before the first part). */
    static String playlist(int k) {
        long lastWhole = lastWhole(k);
        long first = Math.max(0, lastWhole - WINDOW + 1);
        StringBuilder b = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:1\n")
                .append("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.002\n")
                .append("#EXT-X-PART-INF:PART-TARGET=").append(PART_TARGET).append('\n')
                .append("#EXT-X-MEDIA-SEQUENCE:").append(first).append("\n#EXT-X-MAP:URI=\"init.mp4\"\n");
        Instant start = Instant.parse("2026-11-30T08:00:00Z");
        for (long n = first; n <= lastWhole; n++) {
            b.append("#EXT-X-PROGRAM-DATE-TIME:").append(start.plusSeconds(n)).append('\n');
            if (n > lastWhole - 3 && n >= FIRST_OPEN) {
                parts(b, n, PARTS_PER_SEGMENT);
            }
            b.append("#EXTINF:1.000,\nseg-").append(n).append(".m4s\n");
        }
        long open = lastWhole + 1;
        int openParts = k < 0 || segmentOf(k) != open ? 0 : k % PARTS_PER_SEGMENT + 1;
        if (openParts > 0) {
            b.append("#EXT-X-PROGRAM-DATE-TIME:").append(start.plusSeconds(open)).append('\n');
            parts(b, open, openParts);
        }
        b.append("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part-").append(open).append('.').append(openParts).append(".m4s\"\n");
        return b.toString();
    }

    private static void parts(StringBuilder b, long segment, int count) {
        for (int p = 0; p < count; p++) {
            b.append("#EXT-X-PART:DURATION=0.333,URI=\"part-").append(segment).append('.').append(p).append(".m4s\"")
                    .append(p == 0 ? ",INDEPENDENT=YES\n" : "\n");
        }
    }

    private static String partName(int k) {
        return "part-" + segmentOf(k) + "." + k % PARTS_PER_SEGMENT + ".m4s";
    }

    /**
     * The last part a playlist body has, counted as {@link #announcePart} counts; -1 when it has
     * none of them yet. A whole segment has all its parts.
     */
    static int lastPartListed(byte[] playlist) {
        long first = 0;
        long segments = 0;
        int openParts = 0;
        for (String line : new String(playlist, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
                first = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            } else if (line.startsWith("#EXT-X-PART:")) {
                openParts++;
            } else if (line.startsWith("#EXTINF:")) {
                segments++;
                openParts = 0;
            }
        }
        long lastWhole = first + segments - 1;
        return (int) ((lastWhole + 1 - FIRST_OPEN) * PARTS_PER_SEGMENT + openParts - 1);
    }
}
