package io.castpipe.packager.live;

import io.castpipe.packager.cmaf.Fragment;

/**
 * One fragment inside a live segment: part {@code index} (from 0) of segment {@code segmentSequence}.
 * Plain HLS only serves whole segments; LL-HLS will serve these as EXT-X-PART.
 */
public record LivePart(long segmentSequence, int index, Fragment fragment) {

    public boolean independent() {
        return fragment.independent();
    }

    public double durationSeconds() {
        return fragment.durationSeconds();
    }
}
