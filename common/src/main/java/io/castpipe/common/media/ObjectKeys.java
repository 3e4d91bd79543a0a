package io.castpipe.common.media;

/** Where things live in the bucket (docs/architecture.md, "Object layout"). Ids must have passed {@link Ids#require}. */
public final class ObjectKeys {
    private ObjectKeys() {
    }

    public static String uploadSource(String videoId) {
        return "uploads/" + videoId + "/source";
    }

    /** Everything of one video's playback, ending in a slash. */
    public static String vodPrefix(String videoId) {
        return "vod/" + videoId + "/";
    }

    public static String vodMaster(String videoId) {
        return vodPrefix(videoId) + "master.m3u8";
    }

    /** Which job made the video's renditions, and the READY event it announced (the origin serves no JSON). */
    public static String vodOutcome(String videoId) {
        return vodPrefix(videoId) + "outcome.json";
    }

    public static String vodFile(String videoId, String rendition, String file) {
        return vodPrefix(videoId) + rendition + "/" + file;
    }

    public static String vodThumb(String videoId, String file) {
        return vodPrefix(videoId) + "thumbs/" + file;
    }

    /**
     * Who may play the video ({@link AccessRecords}): written by the API, read by the origin, which
     * decides by it who gets the video's bytes, and by work that writes the video's objects. It is
     * kept apart from the video's objects, so that removing them (a deletion, a job clearing up
     * after itself) never takes the record with them.
     */
    public static String accessRecord(String videoId) {
        return accessPrefix() + videoId + ".json";
    }

    /** Where the access records are, ending in a slash. */
    public static String accessPrefix() {
        return "access/";
    }

    /** Left once every video made before there were access records has been given one. */
    public static String accessBackfillMarker() {
        return accessPrefix() + "backfilled";
    }

    /** Everything of one live stream's playback, ending in a slash. */
    public static String livePrefix(String streamId) {
        return "live/" + streamId + "/";
    }

    public static String liveMaster(String streamId) {
        return livePrefix(streamId) + "master.m3u8";
    }

    /** A file of one live rendition: {@code init.mp4}, {@code index.m3u8}, {@code seg-{n}.m4s}, … */
    public static String liveFile(String streamId, String rendition, String file) {
        return livePrefix(streamId) + rendition + "/" + file;
    }
}
