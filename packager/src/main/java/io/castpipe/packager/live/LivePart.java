package io.castpipe.packager.live;

import java.time.Instant;

import io.castpipe.packager.cmaf.Fragment;

/**
 * One fragment inside a live segment: part {@code index} (from 0) of segment
 * {@code segmentSequence}, served as an LL-HLS EXT-X-PART. It also says where its segment sits,
 * so a playlist can list the parts of a segment that is not finished yet: the segment's date,
 * whether a discontinuity comes before it, and the version of the init segment it needs.
 */
public record LivePart(long segmentSequence, int index, Fragment fragment, Instant segmentDate, boolean discontinuity,
                       int initVersion) {

    public boolean independent() {
        return fragment.independent();
    }

    public double durationSeconds() {
        return fragment.durationSeconds();
    }
}
