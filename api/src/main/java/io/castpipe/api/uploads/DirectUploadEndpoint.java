package io.castpipe.api.uploads;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.api.http.ApiException;
import io.castpipe.api.http.ApiRequest;
import io.castpipe.api.http.JsonFields;
import io.castpipe.api.videos.Video;
import io.castpipe.api.videos.VideoLookup;
import io.castpipe.api.videos.VideoRepository;
import io.castpipe.api.videos.VideoView;
import io.castpipe.common.http.JsonResponses;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.MultipartUpload;
import io.castpipe.common.storage.ObjectInfo;
import io.castpipe.common.storage.ObjectNotFoundException;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.common.storage.ObjectStoreException;
import io.castpipe.common.storage.PresignedRequest;
import io.castpipe.common.storage.UploadedPart;

/**
 * Uploads straight to object storage: {@code POST /api/videos/{id}/upload-url} hands out a
 * presigned PUT, or presigned part URLs for a large file, and {@code POST /api/videos/{id}/complete}
 * checks what arrived and queues it. The bytes never pass through the API.
 */
public final class DirectUploadEndpoint {
    /** Larger files get a multipart plan: parts can be retried and sent in parallel. */
    static final long MULTIPART_ABOVE = 64L * 1024 * 1024;
    static final long MIN_PART = 5L * 1024 * 1024;
    static final long MAX_PART = 5L * 1024 * 1024 * 1024;
    static final int MAX_PARTS = 10_000;
    static final Duration URL_LIFETIME = Duration.ofHours(24);
    private static final String SOURCE_TYPE = "application/octet-stream";

    private final UploadRules rules;
    private final long defaultPartSize;
    private final ObjectStore store;
    private final UploadRepository uploads;
    private final VideoRepository videos;
    private final VideoLookup lookup;
    private final VideoView view;
    private final UploadAborter aborter;
    private final SourceQueue queue;

    DirectUploadEndpoint(UploadRules rules, long defaultPartSize, ObjectStore store, UploadRepository uploads,
                         VideoRepository videos, VideoView view, UploadAborter aborter, SourceQueue queue) {
        this.rules = rules;
        this.defaultPartSize = defaultPartSize;
        this.store = store;
        this.uploads = uploads;
        this.videos = videos;
        this.lookup = new VideoLookup(videos);
        this.view = view;
        this.aborter = aborter;
        this.queue = queue;
    }

    /**
     * {@code {"size", "partSize"?}} → a presigned PUT of exactly {@code size} bytes, or for more than
     * 64 MiB a multipart plan whose every part URL is signed for its own length: storage refuses
     * any other length, so nothing over {@code CASTPIPE_UPLOAD_MAX_BYTES} can be put through them.
     */
    public void uploadUrl(ApiRequest request) {
        String videoId = request.id("id");
        request.about(videoId);
        Video video = lookup.manageable(videoId, request.caller());
        JsonFields body = new JsonFields(request.json());
        long size = body.wholeNumber("size").orElseThrow(() -> ApiException.badRequest("missing_field",
                "'size' is required: the number of bytes of the file you will upload"));
        Optional<Long> requestedPartSize = body.wholeNumber("partSize");
        if (size < 1) {
            throw ApiException.badRequest("invalid_field", "'size' must be at least 1 byte");
        }
        rules.checkSize(size);
        UploadRules.checkAcceptsUpload(video);
        aborter.abortAll(videoId);

        String key = ObjectKeys.uploadSource(videoId);
        Instant now = Instant.now();
        Map<String, Object> response = new LinkedHashMap<>();
        Upload upload;
        if (size > MULTIPART_ABOVE) {
            long partSize = partSize(size, requestedPartSize.orElse(defaultPartSize));
            int count = (int) ((size + partSize - 1) / partSize);
            MultipartUpload s3 = store.startMultipart(key, SOURCE_TYPE);
            upload = new Upload(Ids.newId(), videoId, Upload.Kind.DIRECT, false, s3.uploadId(), size, 0, partSize,
                    null, now.plus(URL_LIFETIME), now);
            List<Map<String, Object>> parts = new ArrayList<>(count);
            Instant expiresAt = null;
            for (int n = 1; n <= count; n++) {
                long length = Math.min(partSize, size - (n - 1) * partSize);
                PresignedRequest p = store.presignUploadPart(key, s3.uploadId(), n, length, URL_LIFETIME);
                parts.add(Map.of("partNumber", n, "size", length, "url", p.url().toString()));
                expiresAt = p.expiresAt();
            }
            response.put("uploadId", upload.id());
            response.put("method", "PUT");
            response.put("partSize", partSize);
            response.put("parts", parts);
            response.put("expiresAt", expiresAt.toString());
        } else {
            PresignedRequest p = store.presignPut(key, SOURCE_TYPE, size, URL_LIFETIME);
            upload = new Upload(Ids.newId(), videoId, Upload.Kind.DIRECT, false, null, size, 0, 0,
                    null, now.plus(URL_LIFETIME), now);
            response.put("uploadId", upload.id());
            response.put("url", p.url().toString());
            response.put("method", "PUT");
            response.put("headers", headers(p));
            response.put("expiresAt", p.expiresAt().toString());
        }
        uploads.insert(upload);
        if (!videos.markUploading(videoId, now)) {
            aborter.abort(upload);
            throw ApiException.conflict("invalid_state", "video " + videoId + " no longer takes a source");
        }
        JsonResponses.send(request.exchange(), 200, response);
    }

    /**
     * {@code {"uploadId"?, "parts"?:[{"partNumber","etag"}]}}: checks the source is the size declared
     * (storage that does not check signed lengths could hold another) and queues the video; a source
     * of another size is deleted and refused.
     */
    public void complete(ApiRequest request) throws Exception {
        String videoId = request.id("id");
        request.about(videoId);
        Video video = lookup.manageable(videoId, request.caller());
        JsonFields body = new JsonFields(request.json());
        UploadRules.checkAcceptsUpload(video);
        Upload upload = directUpload(videoId, body.text("uploadId"));
        String key = ObjectKeys.uploadSource(videoId);
        if (upload.s3UploadId() != null) {
            List<UploadedPart> parts = parts(body.node("parts").orElseThrow(() ->
                    ApiException.badRequest("missing_field", "'parts' is required to complete a multipart upload")));
            try {
                store.resumeMultipart(key, upload.s3UploadId(), parts).complete();
            } catch (ObjectNotFoundException e) {
                throw ApiException.conflict("upload_gone", "storage no longer knows this multipart upload; ask for a new upload URL");
            } catch (ObjectStoreException e) {
                throw ApiException.badRequest("invalid_parts", "storage refused to assemble these parts; check every part was "
                        + "uploaded and each etag is the ETag its PUT returned");
            }
        }
        ObjectInfo source = store.head(key).orElseThrow(() -> ApiException.conflict("source_missing",
                "nothing has been uploaded yet; PUT the file to the upload URL first"));
        if (source.size() > rules.maxBytes() || source.size() != upload.length()) {
            aborter.refuse(upload);
            if (source.size() > rules.maxBytes()) {
                throw rules.tooLarge();
            }
            throw ApiException.badRequest("size_mismatch", "the uploaded file has " + source.size() + " bytes, not the "
                    + upload.length() + " declared; it was deleted: ask for a new upload URL");
        }
        uploads.markCompleted(upload.id(), source.size());
        queue.queue(videoId);
        Video queued = videos.find(videoId).orElseThrow(() -> ApiException.notFound("no video " + videoId));
        JsonResponses.send(request.exchange(), 200, view.render(queued, request.caller()));
    }

    private Upload directUpload(String videoId, Optional<String> uploadId) {
        if (uploadId.isPresent()) {
            if (!Ids.isValid(uploadId.get())) {
                throw ApiException.badRequest("bad_id", "'uploadId' is not an id");
            }
            return uploads.find(uploadId.get())
                    .filter(u -> u.videoId().equals(videoId) && u.kind() == Upload.Kind.DIRECT && !u.completed())
                    .orElseThrow(() -> ApiException.notFound("no upload " + uploadId.get() + " in progress for this video"));
        }
        return uploads.openFor(videoId).stream().filter(u -> u.kind() == Upload.Kind.DIRECT).findFirst()
                .orElseThrow(() -> ApiException.conflict("no_upload", "no direct upload in progress; ask for an upload URL first"));
    }

    private long partSize(long size, long requested) {
        if (requested < MIN_PART || requested > MAX_PART) {
            throw ApiException.badRequest("invalid_field", "'partSize' must be from " + MIN_PART + " to " + MAX_PART + " bytes");
        }
        long atLeast = (size + MAX_PARTS - 1) / MAX_PARTS;
        return Math.max(requested, atLeast);
    }

    private static List<UploadedPart> parts(JsonNode node) {
        if (!node.isArray() || node.isEmpty() || node.size() > MAX_PARTS) {
            throw ApiException.badRequest("invalid_field", "'parts' must be a list of 1 to " + MAX_PARTS + " parts");
        }
        List<UploadedPart> parts = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (JsonNode p : node) {
            JsonNode number = p.get("partNumber");
            JsonNode etag = p.get("etag");
            if (number == null || !number.canConvertToInt() || !number.isIntegralNumber()
                    || number.asInt() < 1 || number.asInt() > MAX_PARTS || !seen.add(number.asInt())
                    || etag == null || !etag.isTextual() || etag.asText().isBlank() || etag.asText().length() > 200) {
                throw ApiException.badRequest("invalid_field",
                        "each part needs a distinct 'partNumber' from 1 to " + MAX_PARTS + " and the 'etag' its PUT returned");
            }
            parts.add(new UploadedPart(number.asInt(), etag.asText()));
        }
        return parts;
    }

    /** The headers the client must send with the PUT; Host and Content-Length every HTTP client sets itself. */
    private static Map<String, String> headers(PresignedRequest p) {
        Map<String, String> out = new LinkedHashMap<>();
        p.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                out.put(name, String.join(",", values));
            }
        });
        return out;
    }
}
