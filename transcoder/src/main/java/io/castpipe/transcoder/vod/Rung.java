package io.castpipe.transcoder.vod;

/**
 * One rendition to encode: its name (the short side, e.g. "720p"), picture size and bit rates.
 * A live stream may also offer its {@link #source(int, int, int) source} as a rung: copied, not
 * encoded, so it has no target video rate and its bandwidth is measured from what it produced.
 */
public record Rung(String name, int width, int height, int videoKbps, int audioKbps) {
    public static final String SOURCE = "source";

    public static Rung source(int width, int height, int audioKbps) {
        return new Rung(SOURCE, width, height, 0, audioKbps);
    }

    public boolean isSource() {
        return SOURCE.equals(name);
    }

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
