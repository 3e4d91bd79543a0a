package io.castpipe.packager.live;

/**
 * File names inside one live rendition's folder, {@code live/{streamId}/{rendition}/} (docs/architecture.md, object layout):
 * {@code init.mp4}, {@code index.m3u8}, {@code seg-{n}.m4s}, {@code part-{n}.{p}.m4s},
 * {@code history-{n}.m3u8}. A stream whose encoder restarted with a different init segment gets
 * {@code init-{v}.mp4} for version {@code v > 0}, named by EXT-X-MAP after the discontinuity.
 */
public final class LiveNames {
    public static final String PLAYLIST = "index.m3u8";
    /** The finished stream's full playlist (live → VOD), next to the segments it names. */
    public static final String VOD_PLAYLIST = "vod.m3u8";

    /** What every history piece's name starts with. */
    public static final String HISTORY_PREFIX = "history-";

    private LiveNames() {
    }

    public static String init(int version) {
        return version == 0 ? "init.mp4" : "init-" + version + ".mp4";
    }

    public static String segment(long sequence) {
        return "seg-" + sequence + ".m4s";
    }

    /**
     * A piece of the recording's segment list, from segment {@code firstSequence} on, stored before
     * those segments leave the live window (see {@link LivePlaylist#historyDue()}).
     */
    public static String history(long firstSequence) {
        return HISTORY_PREFIX + firstSequence + ".m3u8";
    }

    public static String part(long sequence, int index) {
        return "part-" + sequence + "." + index + ".m4s";
    }
}
