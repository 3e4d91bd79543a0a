package io.castpipe.common.media;

/** Where things live in the bucket (DESIGN.md, "Object layout"). Ids must have passed {@link Ids#require}. */
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

    public static String vodFile(String videoId, String rendition, String file) {
        return vodPrefix(videoId) + rendition + "/" + file;
    }

    public static String vodThumb(String videoId, String file) {
        return vodPrefix(videoId) + "thumbs/" + file;
    }

    /**
     * Who may play the video: {@code {"visibility":"public|unlisted|private"}}, written by the API
     * before the video exists and removed first when it is deleted; read by the origin, which
     * serves nothing of a video without one, and by work that writes the video's objects.
     */
    public static String vodAccess(String videoId) {
        return vodPrefix(videoId) + "access.json";
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
