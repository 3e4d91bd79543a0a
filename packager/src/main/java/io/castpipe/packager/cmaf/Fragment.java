package io.castpipe.packager.cmaf;

import java.util.List;

/**
 * One CMAF fragment: the bytes of a moof box and the mdat that follows it (plus any styp/prft
 * boxes the encoder put just before the moof), ready to be concatenated into a segment or served
 * as an LL-HLS part.
 *
 * <p>Timing and independence are those of the init's reference track (the video track of a muxed
 * stream): {@code decodeTime} and {@code duration} are in {@code timescale} units, and
 * {@code independent} says the fragment starts with a sync sample, so a segment or an
 * independent part may begin with it. {@code runs} holds every traf, audio included.
 */
public record Fragment(long sequenceNumber, byte[] bytes, int trackId, long timescale, long decodeTime,
                       long duration, boolean independent, List<TrackRun> runs) {

    public Fragment {
        runs = List.copyOf(runs);
    }

    public int size() {
        return bytes.length;
    }

    public long endTime() {
        return decodeTime + duration;
    }

    public double startSeconds() {
        return (double) decodeTime / timescale;
    }

    public double durationSeconds() {
        return (double) duration / timescale;
    }

    @Override
    public String toString() {
        return "Fragment[#" + sequenceNumber + " t=" + decodeTime + "/" + timescale + " d=" + duration
                + (independent ? " independent" : "") + ", " + bytes.length + " bytes]";
    }
}
