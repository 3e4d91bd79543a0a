package io.castpipe.packager.live;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest segment and part each rendition of one stream has announced, shared by the
 * publishers of the stream's renditions so that each playlist reports its siblings
 * (EXT-X-RENDITION-REPORT, RFC 8216bis §4.4.5.4). A publisher records a position only after
 * announcing the playlist that lists it, so a report never names a part the origins have not
 * been told of. One entry per rendition; safe for the publishers' threads.
 */
public final class RenditionReports {
    private final Map<String, PlaylistSnapshot.RenditionReport> newest = new ConcurrentHashMap<>();

    /** The playlist listing {@code report}'s segment and part has been announced. */
    public void announced(PlaylistSnapshot.RenditionReport report) {
        newest.put(report.rendition(), report);
    }

    /** The positions of every rendition but {@code rendition}, by name. */
    public List<PlaylistSnapshot.RenditionReport> siblingsOf(String rendition) {
        return newest.values().stream()
                .filter(r -> !r.rendition().equals(rendition))
                .sorted(Comparator.comparing(PlaylistSnapshot.RenditionReport::rendition))
                .toList();
    }
}
