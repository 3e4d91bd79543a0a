package io.castpipe.packager.live;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The media playlist of one live rendition as segments arrive: a sliding window of the last
 * {@code windowSegments} for {@link #live()}, and every segment for the finished stream's
 * {@link #vod()} form. So that a worker taking the stream over can list every segment too, the
 * segments are also kept in storage in history pieces ({@link #historyDue()}) before they leave
 * the window; the window and the pieces in storage then always list the whole stream, and
 * {@link #restoreEarlier(Collection)} reads it back. The target duration is the configured
 * segment target rounded up, raised (never lowered) if a segment's rounded duration ever exceeds
 * it, which only a source whose keyframes are further apart than the target causes.
 */
public final class LivePlaylist {
    /** EXT-X-MAP on media segments needs version 6; nothing here needs more. */
    public static final int VERSION = 6;
    /** RFC 8216 6.2.2: a live playlist should hold at least three target durations; six segments is safe. */
    public static final int MIN_WINDOW = 3;

    private final int windowSegments;
    private final List<PlaylistSnapshot.Segment> all = new ArrayList<>();
    private final List<Long> discontinuitySequences = new ArrayList<>();
    private int targetDuration;
    private boolean ended;
    /** PART-TARGET in seconds; 0 lists no parts. */
    private double partTarget;
    /** The segment being cut and its parts so far; null between segments. */
    private PlaylistSnapshot.OpenSegment open;
    /** The sequence after the last segment a stored history piece lists (as far as this playlist knows). */
    private long historyEnd;

    public LivePlaylist(int windowSegments, Duration segmentTarget) {
        if (windowSegments < MIN_WINDOW) {
            throw new IllegalArgumentException("a live window needs at least " + MIN_WINDOW + " segments, not " + windowSegments);
        }
        this.windowSegments = windowSegments;
        this.targetDuration = (int) Math.max(1, Math.ceil(segmentTarget.toMillis() / 1000.0 - 0.001));
    }

    /**
     * The playlist another worker left in storage, read back so this one can go on with it; its
     * segments keep their URIs, dates and init segments.
     * @throws IllegalArgumentException when the text is not a live media playlist Castpipe wrote
     */
    public static LivePlaylist resume(String stored, int windowSegments, Duration segmentTarget) {
        if (!stored.startsWith("#EXTM3U")) {
            throw new IllegalArgumentException("not a playlist");
        }
        try {
            return parse(stored, windowSegments, segmentTarget);
        } catch (java.time.format.DateTimeParseException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("unreadable playlist: " + e.getMessage(), e);
        }
    }

    private static LivePlaylist parse(String stored, int windowSegments, Duration segmentTarget) {
        LivePlaylist p = new LivePlaylist(windowSegments, segmentTarget);
        long sequence = -1;
        long dsn = 0;
        String map = LiveNames.init(0);
        Instant date = null;
        Double duration = null;
        boolean discontinuity = false;
        for (String line : stored.split("\n")) {
            if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
                sequence = Long.parseLong(line.substring(22).trim());
            } else if (line.startsWith("#EXT-X-DISCONTINUITY-SEQUENCE:")) {
                dsn = Long.parseLong(line.substring(30).trim());
            } else if (line.startsWith("#EXT-X-MAP:URI=\"")) {
                map = line.substring(16, line.indexOf('"', 16));
            } else if (line.startsWith("#EXT-X-PROGRAM-DATE-TIME:")) {
                date = Instant.parse(line.substring(25).trim());
            } else if (line.startsWith("#EXTINF:")) {
                duration = Double.parseDouble(line.substring(8, line.indexOf(',') < 0 ? line.length() : line.indexOf(',')));
            } else if (line.equals("#EXT-X-DISCONTINUITY")) {
                discontinuity = true;
            } else if (!line.isBlank() && !line.startsWith("#")) {
                if (sequence < 0 || duration == null || date == null) {
                    throw new IllegalArgumentException("segment " + line + " lacks its sequence, duration or date");
                }
                if (discontinuity) {
                    dsn++;
                }
                p.all.add(new PlaylistSnapshot.Segment(sequence, line.trim(), duration, date, discontinuity, map, List.of()));
                p.discontinuitySequences.add(dsn);
                p.targetDuration = Math.max(p.targetDuration, (int) Math.round(duration));
                sequence++;
                duration = null;
                date = null;
                discontinuity = false;
            }
        }
        // The segments before this window are in history pieces already; the window itself may not be.
        p.historyEnd = p.all.isEmpty() ? 0 : p.all.get(0).sequence();
        return p;
    }

    /**
     * Lists LL-HLS parts from now on: EXT-X-PART lines for the segments of the last three target
     * durations and for the segment being cut, declared with this PART-TARGET.
     */
    public synchronized LivePlaylist withParts(double partTargetSeconds) {
        if (!(partTargetSeconds > 0)) {
            throw new IllegalArgumentException("part target must be positive");
        }
        this.partTarget = partTargetSeconds;
        return this;
    }

    public synchronized double partTarget() {
        return partTarget;
    }

    /** A part of the segment being cut is ready; {@link #add} of that segment later replaces its parts. */
    public synchronized void addPart(LivePart part) {
        if (ended) {
            throw new IllegalStateException("the playlist has ended");
        }
        PlaylistSnapshot.Part line = new PlaylistSnapshot.Part(part.index(), LiveNames.part(part.segmentSequence(), part.index()),
                part.durationSeconds(), part.independent());
        if (part.index() == 0 || open == null || open.sequence() != part.segmentSequence()) {
            open = new PlaylistSnapshot.OpenSegment(part.segmentSequence(), part.segmentDate(), part.discontinuity(),
                    LiveNames.init(part.initVersion()), List.of(line));
        } else {
            List<PlaylistSnapshot.Part> parts = new ArrayList<>(open.parts());
            parts.add(line);
            open = new PlaylistSnapshot.OpenSegment(open.sequence(), open.programDateTime(), open.discontinuity(),
                    open.mapUri(), parts);
        }
    }

    /** Where a rendition stands: its last segment's sequence and discontinuity sequence, and the init version it uses. */
    public record Position(long sequence, long discontinuitySequence, int initVersion) {
    }

    /** The position after the last segment listed, empty while there is none. */
    public synchronized java.util.Optional<Position> lastPosition() {
        if (all.isEmpty()) {
            return java.util.Optional.empty();
        }
        PlaylistSnapshot.Segment s = all.get(all.size() - 1);
        String map = s.mapUri();
        int version = map.startsWith("init-") ? Integer.parseInt(map.substring(5, map.length() - 4)) : 0;
        return java.util.Optional.of(new Position(s.sequence(), discontinuitySequences.get(all.size() - 1), version));
    }

    /**
     * The segments no history piece lists yet, once adding one more segment would slide the
     * oldest of them out of the window: store it as {@link LiveNames#history(long)} of its media
     * sequence, then call {@link #historyStored(PlaylistSnapshot)}, before the next {@link #add}.
     */
    public synchronized Optional<PlaylistSnapshot> historyDue() {
        int from = indexOf(historyEnd);
        if (all.size() - from < windowSegments) {
            return Optional.empty();
        }
        return Optional.of(snapshot(PlaylistSnapshot.Type.LIVE, from, targetDuration));
    }

    public synchronized void historyStored(PlaylistSnapshot piece) {
        List<PlaylistSnapshot.Segment> listed = piece.segments();
        historyEnd = Math.max(historyEnd, listed.get(listed.size() - 1).sequence() + 1);
    }

    /** This playlist was resumed after its first segments left the window: {@link #vod()} lacks them. */
    public synchronized boolean startsMidway() {
        return !all.isEmpty() && all.get(0).sequence() > 0;
    }

    /**
     * Puts back in front the segments of the given playlists (the stored history pieces, in any
     * order, overlapping or not) that come before the first one held here. A discontinuity is
     * marked wherever the discontinuity sequence rises or a sequence number is missing, e.g.
     * where a piece that is not a playlist Castpipe wrote was skipped.
     * @return how many pieces were skipped as unreadable
     */
    public synchronized int restoreEarlier(Collection<String> pieces) {
        long first = all.isEmpty() ? Long.MAX_VALUE : all.get(0).sequence();
        TreeMap<Long, Numbered> earlier = new TreeMap<>();
        int unreadable = 0;
        for (String text : pieces) {
            LivePlaylist piece;
            try {
                piece = resume(text, windowSegments, Duration.ofSeconds(targetDuration));
            } catch (IllegalArgumentException e) {
                unreadable++;
                continue;
            }
            for (int i = 0; i < piece.all.size(); i++) {
                PlaylistSnapshot.Segment s = piece.all.get(i);
                if (s.sequence() < first) {
                    earlier.putIfAbsent(s.sequence(), new Numbered(s, piece.discontinuitySequences.get(i)));
                }
            }
        }
        List<Numbered> segments = new ArrayList<>(earlier.values());
        for (int i = 0; i < all.size(); i++) {
            segments.add(new Numbered(all.get(i), discontinuitySequences.get(i)));
        }
        all.clear();
        discontinuitySequences.clear();
        for (int i = 0; i < segments.size(); i++) {
            PlaylistSnapshot.Segment s = segments.get(i).segment();
            boolean restarted = i > 0 && (segments.get(i).discontinuitySequence() > segments.get(i - 1).discontinuitySequence()
                    || s.sequence() != segments.get(i - 1).segment().sequence() + 1);
            all.add(new PlaylistSnapshot.Segment(s.sequence(), s.uri(), s.duration(), s.programDateTime(), restarted,
                    s.mapUri(), s.parts()));
            discontinuitySequences.add(segments.get(i).discontinuitySequence());
        }
        return unreadable;
    }

    private record Numbered(PlaylistSnapshot.Segment segment, long discontinuitySequence) {
    }

    public synchronized void add(LiveSegment s) {
        if (ended) {
            throw new IllegalStateException("the playlist has ended");
        }
        List<PlaylistSnapshot.Part> parts = s.parts().stream()
                .map(p -> new PlaylistSnapshot.Part(p.index(), LiveNames.part(s.sequence(), p.index()),
                        p.durationSeconds(), p.independent()))
                .toList();
        all.add(new PlaylistSnapshot.Segment(s.sequence(), LiveNames.segment(s.sequence()), s.durationSeconds(),
                s.programDateTime(), s.discontinuity(), LiveNames.init(s.initVersion()), parts));
        discontinuitySequences.add(s.discontinuitySequence());
        targetDuration = Math.max(targetDuration, (int) Math.round(s.durationSeconds()));
        if (open != null && open.sequence() <= s.sequence()) {
            open = null;
        }
    }

    public synchronized void end() {
        ended = true;
        open = null;
    }

    public synchronized int size() {
        return all.size();
    }

    /** The sliding window, with EXT-X-ENDLIST once ended. */
    public synchronized PlaylistSnapshot live() {
        int from = Math.max(0, all.size() - windowSegments);
        return snapshot(PlaylistSnapshot.Type.LIVE, from, targetDuration);
    }

    /** Every segment of the stream, for playback after it ended; its target duration is the longest segment rounded up. */
    public synchronized PlaylistSnapshot vod() {
        double longest = all.stream().mapToDouble(PlaylistSnapshot.Segment::duration).max().orElse(0);
        int td = (int) Math.max(1, Math.ceil(longest - 0.001));
        return new PlaylistSnapshot(VERSION, PlaylistSnapshot.Type.VOD, td,
                all.isEmpty() ? 0 : all.get(0).sequence(), 0, true, all, 0, null, 0, List.of());
    }

    /** The index of the first segment numbered {@code sequence} or later; the size when there is none. */
    private int indexOf(long sequence) {
        int i = all.size();
        while (i > 0 && all.get(i - 1).sequence() >= sequence) {
            i--;
        }
        return i;
    }

    private PlaylistSnapshot snapshot(PlaylistSnapshot.Type type, int from, int td) {
        List<PlaylistSnapshot.Segment> window = all.subList(from, all.size());
        long mediaSequence = !window.isEmpty() ? window.get(0).sequence() : open != null ? open.sequence() : 0;
        long dsn = window.isEmpty() ? 0 : discontinuitySequences.get(from);
        return new PlaylistSnapshot(VERSION, type, td, mediaSequence, dsn, ended, window, partTarget, open, 0, List.of());
    }
}
