package io.castpipe.api.videos;

import io.castpipe.api.auth.Caller;
import io.castpipe.api.http.ApiException;

/** Finds a video for a caller: 404 when it does not exist for them, 403 when they may see but not change it. */
public final class VideoLookup {
    private final VideoRepository videos;

    public VideoLookup(VideoRepository videos) {
        this.videos = videos;
    }

    public Video visible(String id, Caller caller) {
        return videos.find(id).filter(v -> v.visibleTo(caller))
                .orElseThrow(() -> ApiException.notFound("no video " + id));
    }

    public Video manageable(String id, Caller caller) {
        caller.requireSignedIn();
        Video video = visible(id, caller);
        if (!video.manageableBy(caller)) {
            throw ApiException.forbidden("only the video's owner or the admin may do this");
        }
        return video;
    }
}
