package io.castpipe.api.videos;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.castpipe.api.auth.Caller;
import io.castpipe.api.http.ApiException;
import io.castpipe.api.http.ApiRequest;
import io.castpipe.api.http.JsonFields;
import io.castpipe.common.http.JsonResponses;

/** {@code /api/videos}: create, list, read, change and delete videos. */
public final class VideosEndpoint {
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;
    static final int MAX_TITLE = 200;
    static final int MAX_DESCRIPTION = 5000;

    private final VideoRepository videos;
    private final VideoLookup lookup;
    private final VideoCreator creator;
    private final VideoAccessFile accessFile;
    private final VideoView view;
    private final VideoRemover remover;

    public VideosEndpoint(VideoRepository videos, VideoCreator creator, VideoAccessFile accessFile, VideoView view,
                          VideoRemover remover) {
        this.videos = videos;
        this.lookup = new VideoLookup(videos);
        this.creator = creator;
        this.accessFile = accessFile;
        this.view = view;
        this.remover = remover;
    }

    public void create(ApiRequest request) {
        request.caller().requireSignedIn();
        JsonFields body = new JsonFields(request.json());
        String title = title(body.requiredText("title"));
        String description = description(body.text("description").orElse(""));
        Visibility visibility = body.text("visibility").map(VideosEndpoint::visibility).orElse(Visibility.PUBLIC);
        Video video = creator.create(request.caller(), title, description, visibility);
        request.about(video.id());
        JsonResponses.send(request.exchange(), 201, view.render(video, request.caller()));
    }

    public void list(ApiRequest request) {
        int limit = request.query("limit").map(VideosEndpoint::limit).orElse(DEFAULT_LIMIT);
        VideoCursor cursor = request.query("cursor").map(VideoCursor::decode).orElse(null);
        Caller caller = request.caller();
        boolean mine = request.flag("mine");
        if (mine) {
            caller.requireUser("'mine' lists a user's videos: ask with that user's token");
        }
        List<Video> page = videos.page(caller, mine, cursor, limit + 1);
        boolean more = page.size() > limit;
        List<Video> items = more ? page.subList(0, limit) : page;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items.stream().map(v -> view.render(v, caller)).toList());
        Video last = items.isEmpty() ? null : items.get(items.size() - 1);
        body.put("nextCursor", more ? new VideoCursor(last.createdAt(), last.id()).encode() : null);
        JsonResponses.send(request.exchange(), 200, body);
    }

    public void get(ApiRequest request) {
        String id = request.id("id");
        request.about(id);
        JsonResponses.send(request.exchange(), 200, view.render(lookup.visible(id, request.caller()), request.caller()));
    }

    public void update(ApiRequest request) {
        String id = request.id("id");
        request.about(id);
        Video video = lookup.manageable(id, request.caller());
        JsonFields body = new JsonFields(request.json());
        Video updated = change(video, body.text("title").map(VideosEndpoint::title).orElse(video.title()),
                body.text("description").map(VideosEndpoint::description).orElse(video.description()),
                body.text("visibility").map(VideosEndpoint::visibility));
        JsonResponses.send(request.exchange(), 200, view.render(updated, request.caller()));
    }

    /**
     * Gives {@code video}, as it was looked up, these details; returns it as it now is. Whichever
     * step fails, the origin is never more permissive than the database says: a visibility given is
     * written before the row when it is private, and after the row in any case (changed or not,
     * which restores a lost record, and so that it outlasts a record written meanwhile from the row
     * as it was). A video deleted since it was looked up stays deleted: its record is put back to
     * the tombstone, whatever was written here, and the answer is 404.
     */
    Video change(Video video, String title, String description, Optional<Visibility> given) {
        String id = video.id();
        Visibility visibility = given.orElse(video.visibility());
        if (given.isPresent() && visibility == Visibility.PRIVATE) {
            accessFile.write(id, visibility);
        }
        boolean updated = videos.updateDetails(id, title, description, visibility, Instant.now()) == 1;
        if (updated && given.isPresent()) {
            accessFile.write(id, visibility);
        }
        // Looked at after the record was written: a deletion that took the row before this look has
        // its tombstone put back here, one after it writes its own last (VideoRemover).
        Optional<Video> now = updated ? videos.find(id) : Optional.empty();
        if (now.isEmpty()) {
            accessFile.markDeleted(id);
            throw ApiException.notFound("no video " + id);
        }
        return now.get();
    }

    public void delete(ApiRequest request) {
        String id = request.id("id");
        request.about(id);
        remover.remove(lookup.manageable(id, request.caller()));
        request.exchange().setStatusCode(204);
        request.exchange().endExchange();
    }

    private static String title(String raw) {
        String t = raw.trim();
        if (t.isEmpty() || t.length() > MAX_TITLE) {
            throw ApiException.badRequest("invalid_field", "'title' must be 1-" + MAX_TITLE + " characters");
        }
        return t;
    }

    private static String description(String raw) {
        if (raw.length() > MAX_DESCRIPTION) {
            throw ApiException.badRequest("invalid_field", "'description' may be at most " + MAX_DESCRIPTION + " characters");
        }
        return raw;
    }

    static Visibility visibility(String raw) {
        return Visibility.parse(raw).orElseThrow(() -> ApiException.badRequest("invalid_field",
                "'visibility' must be public, unlisted or private"));
    }

    private static int limit(String raw) {
        int n;
        try {
            n = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid_query", "'limit' must be a whole number from 1 to " + MAX_LIMIT);
        }
        if (n < 1) {
            throw ApiException.badRequest("invalid_query", "'limit' must be a whole number from 1 to " + MAX_LIMIT);
        }
        return Math.min(n, MAX_LIMIT);
    }
}
