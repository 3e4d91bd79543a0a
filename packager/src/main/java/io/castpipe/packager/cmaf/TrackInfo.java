package io.castpipe.packager.cmaf;

/**
 * One track of an fMP4 init segment: its id (tkhd), handler ({@code vide}, {@code soun}, …, from
 * hdlr), media timescale (mdhd) and the fragment defaults of its trex box (0 when there is none).
 */
public record TrackInfo(int trackId, String handler, long timescale,
                        long defaultSampleDuration, int defaultSampleFlags) {

    public boolean isVideo() {
        return "vide".equals(handler);
    }

    public boolean isAudio() {
        return "soun".equals(handler);
    }
}
