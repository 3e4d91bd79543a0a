package io.castpipe.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.api.HttpTestClient.Response;
import io.castpipe.common.media.ObjectKeys;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Videos CRUD, listing with a cursor, and who sees what, through HTTP against a real node. */
class VideosApiTest {
    private static ApiTestNode node;
    private static HttpTestClient http;

    @BeforeAll
    static void start() throws Exception {
        node = ApiTestNode.shared();
        http = node.client();
    }

    @Test
    void aNewVideoHasTheApiShapeAndTellsTheOriginWhoMayPlayIt() throws Exception {
        String token = http.newUser("vid-shape");
        Response created = http.post("/api/videos", token,
                Map.of("title", "  First  ", "description", "about it", "visibility", "unlisted"));
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("id").asText();

        JsonNode v = http.get("/api/videos/" + id, null).json();
        assertThat(v.get("id").asText()).isEqualTo(id).matches("[0-9a-z]{16}");
        assertThat(v.get("title").asText()).isEqualTo("First");
        assertThat(v.get("description").asText()).isEqualTo("about it");
        assertThat(v.get("visibility").asText()).isEqualTo("unlisted");
        assertThat(v.get("status").asText()).isEqualTo("created");
        assertThat(v.get("progress").asDouble()).isZero();
        assertThat(v.has("error")).isFalse();
        for (String nullUntilReady : List.of("durationSeconds", "source", "playbackUrl", "posterUrl", "storyboardUrl")) {
            assertThat(v.has(nullUntilReady)).as(nullUntilReady).isTrue();
            assertThat(v.get(nullUntilReady).isNull()).as(nullUntilReady).isTrue();
        }
        assertThat(v.get("renditions").isArray()).isTrue();
        assertThat(v.get("renditions")).isEmpty();
        assertThat(Instant.parse(v.get("createdAt").asText())).isBefore(Instant.now().plusSeconds(1));

        assertThat(node.accessRecord(id)).isEqualTo("{\"visibility\":\"unlisted\"}");
    }

    @Test
    void creatingNeedsATokenAndValidInput() throws Exception {
        assertThat(http.post("/api/videos", null, Map.of("title", "x")).status()).isEqualTo(401);
        String token = http.newUser("vid-validate");
        assertError(http.post("/api/videos", token, Map.of()), 400, "missing_field");
        assertError(http.post("/api/videos", token, Map.of("title", "   ")), 400, "invalid_field");
        assertError(http.post("/api/videos", token, Map.of("title", "x".repeat(201))), 400, "invalid_field");
        assertError(http.post("/api/videos", token, Map.of("title", "x", "visibility", "secret")), 400, "invalid_field");
        assertError(http.post("/api/videos", token, Map.of("title", 42)), 400, "invalid_field");
        assertError(http.post("/api/videos", token, "[1,2]"), 400, "invalid_json");
        assertError(http.post("/api/videos", token, "{title:"), 400, "invalid_json");
    }

    @Test
    void badIdsUnknownVideosAndUnknownPathsAreJsonErrors() throws Exception {
        assertError(http.get("/api/videos/NOT-AN-ID", null), 400, "bad_id");
        assertError(http.get("/api/videos/..%2F..%2Fetc", null), 400, "bad_id");
        assertError(http.get("/api/videos/0123456789abcdef", null), 404, "not_found");
        assertError(http.delete("/api/videos/0123456789abcdef", ApiTestNode.ADMIN_TOKEN), 404, "not_found");
        assertError(http.patch("/api/videos/x'%20OR%201=1", ApiTestNode.ADMIN_TOKEN, Map.of("title", "t")), 400, "bad_id");
        assertError(http.get("/api/nothing-here", null), 404, "not_found");
        assertError(http.request("PUT", "/api/videos").send(), 405, "method_not_allowed");
    }

    @Test
    void listingShowsEachCallerWhatTheyMaySee() throws Exception {
        String owner = http.newUser("vis-owner");
        String other = http.newUser("vis-other");
        String pub = http.newVideo(owner, "public one", "public");
        String unlisted = http.newVideo(owner, "unlisted one", "unlisted");
        String priv = http.newVideo(owner, "private one", "private");

        assertThat(allListed(null)).contains(pub).doesNotContain(unlisted, priv);
        assertThat(allListed(other)).contains(pub).doesNotContain(unlisted, priv);
        assertThat(allListed(owner)).contains(pub, unlisted, priv);
        assertThat(allListed(ApiTestNode.ADMIN_TOKEN)).contains(pub, unlisted, priv);

        // Unlisted: anyone with the link; private: nobody but the owner and the admin.
        assertThat(http.get("/api/videos/" + unlisted, null).status()).isEqualTo(200);
        assertError(http.get("/api/videos/" + priv, null), 404, "not_found");
        assertError(http.get("/api/videos/" + priv, other), 404, "not_found");
        assertThat(http.get("/api/videos/" + priv, owner).status()).isEqualTo(200);
        assertThat(http.get("/api/videos/" + priv, ApiTestNode.ADMIN_TOKEN).status()).isEqualTo(200);
    }

    @Test
    void pagesFollowTheCursorNewestFirstWithoutRepeats() throws Exception {
        String token = http.newUser("pager");
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            mine.add(0, http.newVideo(token, "page " + i, "private"));
        }
        List<String> seen = new ArrayList<>();
        List<Instant> times = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Response page = http.get("/api/videos?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), token);
            assertThat(page.status()).isEqualTo(200);
            JsonNode items = page.json().get("items");
            assertThat(items.size()).isLessThanOrEqualTo(2);
            items.forEach(v -> {
                seen.add(v.get("id").asText());
                times.add(Instant.parse(v.get("createdAt").asText()));
            });
            cursor = page.json().get("nextCursor").isNull() ? null : page.json().get("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 500);

        assertThat(cursor).isNull();
        assertThat(new HashSet<>(seen)).hasSameSizeAs(seen);
        assertThat(times).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(seen.stream().filter(mine::contains).toList()).isEqualTo(mine);
    }

    @Test
    void mineListsOnlyTheCallersOwnVideos() throws Exception {
        String owner = http.newUser("mine-owner");
        String other = http.newUser("mine-other");
        String otherPublic = http.newVideo(other, "someone else's", "public");
        List<String> own = List.of(http.newVideo(owner, "own private", "private"), http.newVideo(owner, "own public", "public"));

        List<String> listed = new ArrayList<>();
        http.get("/api/videos?mine=true&limit=100", owner).json().get("items").forEach(v -> listed.add(v.get("id").asText()));
        assertThat(listed).containsExactlyInAnyOrderElementsOf(own);
        List<String> everything = new ArrayList<>();
        http.get("/api/videos?mine=false&limit=100", owner).json().get("items").forEach(v -> everything.add(v.get("id").asText()));
        assertThat(everything).contains(otherPublic).containsAll(own);

        assertError(http.get("/api/videos?mine=true", null), 401, "unauthorized");
        assertError(http.get("/api/videos?mine=true", ApiTestNode.ADMIN_TOKEN), 400, "user_required");
        assertError(http.get("/api/videos?mine=yes", owner), 400, "invalid_query");
    }

    @Test
    void listingParametersAreChecked() throws Exception {
        assertError(http.get("/api/videos?limit=0", null), 400, "invalid_query");
        assertError(http.get("/api/videos?limit=many", null), 400, "invalid_query");
        assertError(http.get("/api/videos?cursor=garbage!", null), 400, "bad_cursor");
        assertError(http.get("/api/videos?cursor=" + java.util.Base64.getUrlEncoder().encodeToString("1:'; DROP".getBytes()), null),
                400, "bad_cursor");
        Response big = http.get("/api/videos?limit=1000", ApiTestNode.ADMIN_TOKEN);
        assertThat(big.status()).isEqualTo(200);
        assertThat(big.json().get("items").size()).isLessThanOrEqualTo(100);
        assertThat(http.get("/api/videos", null).json().get("items").size()).isLessThanOrEqualTo(20);
    }

    @Test
    void ownerAndAdminChangeAVideoAndTheAccessFileFollows() throws Exception {
        String owner = http.newUser("patch-owner");
        String other = http.newUser("patch-other");
        String id = http.newVideo(owner, "before", "public");

        Response changed = http.patch("/api/videos/" + id, owner,
                Map.of("title", "after", "description", "new words", "visibility", "private"));
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.json().get("title").asText()).isEqualTo("after");
        assertThat(changed.json().get("description").asText()).isEqualTo("new words");
        assertThat(changed.json().get("visibility").asText()).isEqualTo("private");
        assertThat(node.accessRecord(id)).isEqualTo("{\"visibility\":\"private\"}");

        assertError(http.patch("/api/videos/" + id, null, Map.of("title", "x")), 401, "unauthorized");
        assertError(http.patch("/api/videos/" + id, other, Map.of("title", "x")), 404, "not_found");
        assertError(http.patch("/api/videos/" + id, owner, Map.of("visibility", "everyone")), 400, "invalid_field");

        Response byAdmin = http.patch("/api/videos/" + id, ApiTestNode.ADMIN_TOKEN, Map.of("visibility", "public"));
        assertThat(byAdmin.status()).isEqualTo(200);
        assertThat(byAdmin.json().get("title").asText()).isEqualTo("after");
        assertThat(node.accessRecord(id)).isEqualTo("{\"visibility\":\"public\"}");
        assertError(http.patch("/api/videos/" + id, other, Map.of("title", "x")), 403, "forbidden");

        // A visibility given again, unchanged, writes the record again: how a lost one is restored.
        node.store.delete(ObjectKeys.accessRecord(id));
        assertThat(http.patch("/api/videos/" + id, owner, Map.of("visibility", "public")).status()).isEqualTo(200);
        assertThat(node.accessRecord(id)).isEqualTo("{\"visibility\":\"public\"}");
    }

    @Test
    void deletingAVideoTakesItsObjectsAndUploadsWithIt() throws Exception {
        String owner = http.newUser("deleter");
        String id = http.newVideo(owner, "doomed", "public");
        node.store.put(ObjectKeys.vodMaster(id), "#EXTM3U".getBytes(), "application/vnd.apple.mpegurl");
        node.store.put(ObjectKeys.vodFile(id, "720p", "seg-1.m4s"), new byte[10], "video/iso.segment");
        node.store.put(ObjectKeys.uploadSource(id), new byte[10], "application/octet-stream");
        Response tus = http.request("POST", "/api/uploads").token(owner).header("Tus-Resumable", "1.0.0")
                .header("Upload-Length", "100").header("Upload-Metadata", "videoId " + b64(id)).send();
        assertThat(tus.status()).isEqualTo(201);

        assertError(http.delete("/api/videos/" + id, http.newUser("not-the-owner")), 403, "forbidden");
        assertThat(http.delete("/api/videos/" + id, owner).status()).isEqualTo(204);

        assertError(http.get("/api/videos/" + id, owner), 404, "not_found");
        assertThat(node.accessRecord(id)).as("a tombstone, for good").isEqualTo("{\"visibility\":\"deleted\"}");
        assertThat(node.store.list(ObjectKeys.vodPrefix(id))).isEmpty();
        assertThat(node.store.list("uploads/" + id + "/")).isEmpty();
        assertThat(node.multipartUploadsInProgress(ObjectKeys.uploadSource(id))).isZero();
        assertThat(http.request("HEAD", tus.header("Location")).token(owner).send().status()).isEqualTo(404);
    }

    @Test
    void theOpenApiDocumentDescribesTheEndpoints() throws Exception {
        Response r = http.get("/api/openapi.json", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode doc = r.json();
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        Set<String> paths = new HashSet<>();
        doc.get("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths).contains("/api/users", "/api/videos", "/api/videos/{id}", "/api/videos/{id}/upload-url",
                "/api/videos/{id}/complete", "/api/videos/{id}/source", "/api/uploads", "/api/uploads/{uploadId}",
                "/api/chat/token", "/api/channels/{name}/moderators", "/api/channels/{name}/moderators/{userId}",
                "/api/channels/{name}/chat", "/api/videos/{id}/chat");
    }

    @Test
    void browsersMayCallTheApiFromAnyOrigin() throws Exception {
        Response preflight = http.request("OPTIONS", "/api/uploads/0123456789abcdef")
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "PATCH")
                .header("Access-Control-Request-Headers", "upload-offset, tus-resumable, content-type, authorization").send();
        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(preflight.header("Access-Control-Allow-Methods")).contains("PATCH", "HEAD", "DELETE");
        assertThat(preflight.header("Access-Control-Allow-Headers"))
                .contains("Upload-Offset", "Tus-Resumable", "Upload-Length", "Upload-Metadata", "Authorization", "Content-Type");

        Response get = http.request("GET", "/api/videos").header("Origin", "https://app.example").send();
        assertThat(get.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(get.header("Access-Control-Expose-Headers"))
                .contains("Location", "Upload-Offset", "Upload-Expires", "Castpipe-Video-Id", "Tus-Resumable");
    }

    private static List<String> allListed(String token) throws Exception {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        for (int pages = 0; pages < 100; pages++) {
            JsonNode page = http.get("/api/videos?limit=100" + (cursor == null ? "" : "&cursor=" + cursor), token).json();
            page.get("items").forEach(v -> ids.add(v.get("id").asText()));
            if (page.get("nextCursor").isNull()) {
                break;
            }
            cursor = page.get("nextCursor").asText();
        }
        return ids;
    }

    static void assertError(Response r, int status, String code) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.errorCode()).isEqualTo(code);
        assertThat(r.body()).doesNotContain("Exception", "\tat ");
    }

    static String b64(String s) {
        return java.util.Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
