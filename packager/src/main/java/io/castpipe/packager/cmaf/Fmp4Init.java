package io.castpipe.packager.cmaf;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An fMP4 initialization segment (ftyp + moov) exactly as the encoder wrote it, with its tracks.
 * The <em>reference track</em> is the one fragments are timed and cut by: the first video track,
 * or the first track when there is no video.
 */
public record Fmp4Init(byte[] bytes, List<TrackInfo> tracks) {

    public Fmp4Init {
        if (tracks.isEmpty()) {
            throw new IllegalArgumentException("an init segment without tracks");
        }
        tracks = List.copyOf(tracks);
    }

    public TrackInfo referenceTrack() {
        return tracks.stream().filter(TrackInfo::isVideo).findFirst().orElse(tracks.get(0));
    }

    public Optional<TrackInfo> track(int trackId) {
        return tracks.stream().filter(t -> t.trackId() == trackId).findFirst();
    }

    /** The codecs for the HLS CODECS attribute, see {@link InitSegment#codecs(byte[])}. */
    public List<String> codecs() {
        return InitSegment.codecs(bytes);
    }

    /** Same bytes: a restarted encoder with the same settings usually writes the same init. */
    public boolean sameBytes(Fmp4Init other) {
        return other != null && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fmp4Init other && Arrays.equals(bytes, other.bytes) && tracks.equals(other.tracks);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) * 31 + tracks.hashCode();
    }

    @Override
    public String toString() {
        return "Fmp4Init[" + bytes.length + " bytes, tracks=" + tracks + "]";
    }
}
