package io.castpipe.api.videos;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.castpipe.api.auth.Caller;
import io.castpipe.common.auth.PlaybackTokens;

/**
 * A video as the API shows it (`/api/openapi.json`). Playback URLs appear once it is ready; for a private video they
 * carry a playback token, which only its owner and the admin ever see (others get a 404).
 */
public final class VideoView {
    static final Duration TOKEN_LIFETIME = Duration.ofHours(6);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String publicUrl;
    private final PlaybackTokens tokens;

    public VideoView(String publicUrl, PlaybackTokens tokens) {
        this.publicUrl = publicUrl;
        this.tokens = tokens;
    }

    public Map<String, Object> render(Video v, Caller caller) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", v.id());
        m.put("title", v.title());
        m.put("description", v.description());
        m.put("visibility", v.visibility().value());
        m.put("ownerId", v.ownerId());
        m.put("status", v.status().value());
        m.put("progress", v.progress());
        if (v.status() == VideoStatus.FAILED && v.errorCode() != null) {
            m.put("error", Map.of("code", v.errorCode(), "message", v.errorMessage() == null ? "" : v.errorMessage()));
        }
        m.put("durationSeconds", v.durationSeconds());
        m.put("source", parse(v.sourceJson()));
        m.put("renditions", renditions(v.renditionsJson()));
        boolean ready = v.status() == VideoStatus.READY;
        String query = ready && v.visibility() == Visibility.PRIVATE && v.manageableBy(caller)
                ? "?token=" + tokens.issue(v.id(), Instant.now().plus(TOKEN_LIFETIME))
                : "";
        String base = publicUrl + "/vod/" + v.id() + "/";
        m.put("playbackUrl", ready ? base + "master.m3u8" + query : null);
        // The VOD transcode makes the thumbnails; a broadcast's recording is kept as it was played, without them.
        boolean thumbnails = ready && !v.isRecording();
        m.put("posterUrl", thumbnails ? base + "thumbs/poster.jpg" + query : null);
        m.put("storyboardUrl", thumbnails ? base + "thumbs/storyboard.vtt" + query : null);
        m.put("createdAt", v.createdAt().toString());
        return m;
    }

    private static JsonNode parse(String json) {
        if (json == null) {
            return null;
        }
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("stored JSON is unreadable: " + e.getMessage(), e);
        }
    }

    /** The stored rungs carry more (codecs, frame rate); the API promises these four. */
    private static List<Map<String, Object>> renditions(String json) {
        List<Map<String, Object>> out = new ArrayList<>();
        JsonNode all = parse(json);
        if (all == null) {
            return out;
        }
        for (JsonNode r : all) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.path("name").asText());
            m.put("width", r.path("width").asInt());
            m.put("height", r.path("height").asInt());
            m.put("bandwidth", r.path("bandwidth").asLong());
            out.add(m);
        }
        return out;
    }
}
