package io.castpipe.transcoder.vod;

/** One rendition to encode: its name (the short side, e.g. "720p"), picture size and bit rates. */
public record Rung(String name, int width, int height, int videoKbps, int audioKbps) {

    /** Peak allowed by the rate control: 10 % above the target, as Apple's authoring guide suggests. */
    public int maxKbps() {
        return videoKbps * 11 / 10;
    }

    /** The nominal peak of the whole rendition, video and audio, in bits per second (BANDWIDTH). */
    public long peakBitsPerSecond() {
        return (maxKbps() + audioKbps) * 1000L;
    }

    /** The nominal average of the whole rendition, in bits per second (AVERAGE-BANDWIDTH). */
    public long averageBitsPerSecond() {
        return (videoKbps + audioKbps) * 1000L;
    }
}
