package io.castpipe.api.uploads;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

import io.castpipe.api.auth.Caller;
import io.castpipe.api.http.ApiException;
import io.castpipe.api.http.ApiRequest;
import io.castpipe.api.http.BodySink;
import io.castpipe.api.videos.Video;
import io.castpipe.api.videos.VideoCreator;
import io.castpipe.api.videos.VideoLookup;
import io.castpipe.api.videos.VideoRepository;
import io.castpipe.api.videos.Visibility;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.MultipartUpload;
import io.castpipe.common.storage.ObjectStore;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * tus 1.0.0 at {@code /api/uploads}: the core protocol with the creation, termination and
 * expiration extensions. Creation starts an S3 multipart upload of the video's source; PATCH
 * bodies go through {@link PartAssembler}; the request that brings the last byte completes the
 * object and queues the video.
 */
public final class TusUploadHandler {
    private static final Logger log = LoggerFactory.getLogger(TusUploadHandler.class);

    static final String VERSION = "1.0.0";
    static final String EXTENSIONS = "creation,termination,expiration";
    static final Duration EXPIRY = Duration.ofHours(24);
    static final String OFFSET_OCTET_STREAM = "application/offset+octet-stream";

    static final HttpString TUS_RESUMABLE = HttpString.tryFromString("Tus-Resumable");
    static final HttpString TUS_VERSION = HttpString.tryFromString("Tus-Version");
    static final HttpString TUS_EXTENSION = HttpString.tryFromString("Tus-Extension");
    static final HttpString TUS_MAX_SIZE = HttpString.tryFromString("Tus-Max-Size");
    static final HttpString UPLOAD_LENGTH = HttpString.tryFromString("Upload-Length");
    static final HttpString UPLOAD_DEFER_LENGTH = HttpString.tryFromString("Upload-Defer-Length");
    static final HttpString UPLOAD_OFFSET = HttpString.tryFromString("Upload-Offset");
    static final HttpString UPLOAD_METADATA = HttpString.tryFromString("Upload-Metadata");
    static final HttpString UPLOAD_EXPIRES = HttpString.tryFromString("Upload-Expires");
    static final HttpString VIDEO_ID = HttpString.tryFromString("Castpipe-Video-Id");
    static final HttpString METHOD_OVERRIDE = HttpString.tryFromString("X-HTTP-Method-Override");

    /** RFC 7231's IMF-fixdate, e.g. {@code Tue, 01 Dec 2026 05:32:41 GMT}. */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
    /** When a request finding its upload busy may try again; tus clients retry a 423 by themselves. */
    private static final long BUSY_RETRY_SECONDS = 1;

    private final String publicUrl;
    private final UploadRules rules;
    private final long partSize;
    private final ObjectStore store;
    private final UploadRepository uploads;
    private final VideoRepository videos;
    private final VideoLookup lookup;
    private final VideoCreator creator;
    private final PartAssembler assembler;
    private final UploadAborter aborter;
    private final UploadLocks locks;
    private final SourceQueue queue;

    TusUploadHandler(String publicUrl, UploadRules rules, long partSize, ObjectStore store, UploadRepository uploads,
                     VideoRepository videos, VideoCreator creator, PartAssembler assembler, UploadAborter aborter,
                     UploadLocks locks, SourceQueue queue) {
        this.publicUrl = publicUrl;
        this.rules = rules;
        this.partSize = partSize;
        this.store = store;
        this.uploads = uploads;
        this.videos = videos;
        this.lookup = new VideoLookup(videos);
        this.creator = creator;
        this.assembler = assembler;
        this.aborter = aborter;
        this.locks = locks;
        this.queue = queue;
    }

    /** OPTIONS: what this server speaks. Needs no token and touches nothing. */
    public void options(HttpServerExchange exchange) {
        var h = exchange.getResponseHeaders();
        h.put(TUS_RESUMABLE, VERSION);
        h.put(TUS_VERSION, VERSION);
        h.put(TUS_EXTENSION, EXTENSIONS);
        h.put(TUS_MAX_SIZE, rules.maxBytes());
        exchange.setStatusCode(204);
        exchange.endExchange();
    }

    /** POST: a new upload, of an existing video ({@code videoId} in the metadata) or of a new one. */
    public void create(ApiRequest request) throws Exception {
        HttpServerExchange exchange = begin(request);
        Caller caller = request.caller();
        caller.requireSignedIn();
        if (request.header(UPLOAD_DEFER_LENGTH).isPresent()) {
            throw ApiException.badRequest("unsupported", "Upload-Defer-Length is not supported; send Upload-Length");
        }
        long length = number(request, UPLOAD_LENGTH)
                .orElseThrow(() -> ApiException.badRequest("missing_header", "Upload-Length is required"));
        if (length < 1) {
            throw ApiException.badRequest("empty_upload", "an upload needs at least one byte");
        }
        rules.checkSize(length);
        TusMetadata metadata = TusMetadata.parse(request.header(UPLOAD_METADATA).orElse(null));
        Video video = videoFor(request, metadata);
        request.about(video.id());
        // The newest upload of a video wins; one left unfinished (another tab, a lost client) is given up.
        aborter.abortAll(video.id());

        MultipartUpload s3 = store.startMultipart(ObjectKeys.uploadSource(video.id()), metadata.contentType());
        Instant now = Instant.now();
        Upload upload = new Upload(Ids.newId(), video.id(), Upload.Kind.TUS, false, s3.uploadId(), length, 0, partSize,
                metadata.filename().map(f -> clip(f, 500)).orElse(null), now.plus(EXPIRY), now);
        uploads.insert(upload);
        if (!videos.markUploading(video.id(), now)) {
            aborter.abort(upload);
            throw ApiException.conflict("invalid_state", "video " + video.id() + " no longer takes a source");
        }
        var h = exchange.getResponseHeaders();
        h.put(Headers.LOCATION, publicUrl + "/api/uploads/" + upload.id());
        h.put(VIDEO_ID, video.id());
        h.put(UPLOAD_EXPIRES, httpDate(upload.expiresAt()));
        exchange.setStatusCode(201);
        exchange.endExchange();
    }

    /**
     * HEAD: how many bytes the server has, so the client resumes from there. It needs no lock: the
     * recorded parts and the tail file only grow while a PATCH writes, and the tail of a part
     * counts only until the part is recorded, so the sum is never more than the server keeps (at
     * worst, read as a part is recorded, one part less, which a PATCH from there learns with 409).
     */
    public void head(ApiRequest request) throws Exception {
        HttpServerExchange exchange = begin(request);
        Upload upload = load(request);
        Optional<UploadLocks.Held> held = locks.tryLock(upload.id());
        try {
            if (held.isPresent()) {
                upload = reload(upload.id());
                // A last PATCH whose completion failed is finished here: the client sees every byte sent and will not PATCH again.
                if (!upload.completed() && assembler.offset(upload) == upload.length()) {
                    finish(upload);
                    upload = reload(upload.id());
                }
            }
            var h = exchange.getResponseHeaders();
            h.put(UPLOAD_OFFSET, assembler.offset(upload));
            h.put(UPLOAD_LENGTH, upload.length());
            h.put(Headers.CACHE_CONTROL, "no-store");
            if (!upload.completed()) {
                h.put(UPLOAD_EXPIRES, httpDate(upload.expiresAt()));
            }
            exchange.setStatusCode(200);
            exchange.endExchange();
        } finally {
            held.ifPresent(UploadLocks.Held::close);
        }
    }

    /** PATCH: appends the body at {@code Upload-Offset}, which must be where the server is. */
    public void patch(ApiRequest request) throws Exception {
        HttpServerExchange exchange = begin(request);
        Upload found = load(request);
        String type = request.header(Headers.CONTENT_TYPE).orElse("");
        if (!type.split(";")[0].trim().equalsIgnoreCase(OFFSET_OCTET_STREAM)) {
            throw ApiException.unsupportedMediaType("PATCH bodies must be sent as Content-Type: " + OFFSET_OCTET_STREAM);
        }
        long clientOffset = number(request, UPLOAD_OFFSET)
                .orElseThrow(() -> ApiException.badRequest("missing_header", "Upload-Offset is required"));
        request.requireContentLength();
        UploadLocks.Held lock = locks.tryLock(found.id()).orElseThrow(TusUploadHandler::busy);
        boolean bodyHoldsLock = false;
        try {
            Upload upload = reload(found.id());
            long offset = assembler.offset(upload);
            if (clientOffset != offset) {
                throw ApiException.conflict("offset_mismatch", "Upload-Offset is " + clientOffset + " but the server has "
                        + offset + " bytes; ask with HEAD and resume from there");
            }
            if (upload.completed()) {
                respondOffset(exchange, upload, offset);
                return;
            }
            UploadRules.checkAcceptsUpload(lookup.manageable(upload.videoId(), request.caller()));
            long declared = exchange.getRequestContentLength();
            if (declared > upload.length() - offset) {
                throw ApiException.tooLarge("the body goes past Upload-Length: " + (upload.length() - offset)
                        + " bytes remain");
            }
            PartAssembler.Appender appender = assembler.appender(upload);
            try {
                request.receiveBody(new PatchBody(exchange, upload, appender, lock));
            } catch (RuntimeException e) {
                try {
                    appender.close(); // the tail file it opened
                } catch (IOException | RuntimeException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
            bodyHoldsLock = true;
        } finally {
            if (!bodyHoldsLock) {
                lock.close();
            }
        }
    }

    /** A PATCH body going into the upload's tail as it arrives; the upload's lock is held until it ends. */
    private final class PatchBody implements BodySink {
        private final HttpServerExchange exchange;
        private final Upload upload;
        private final PartAssembler.Appender appender;
        private final UploadLocks.Held lock;

        PatchBody(HttpServerExchange exchange, Upload upload, PartAssembler.Appender appender, UploadLocks.Held lock) {
            this.exchange = exchange;
            this.upload = upload;
            this.appender = appender;
            this.lock = lock;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws Exception {
            if (appender.write(bytes, offset, length) < length) {
                throw ApiException.tooLarge("the body went past Upload-Length; bytes up to it were kept");
            }
        }

        @Override
        public void complete() throws Exception {
            try {
                long offset = appender.close();
                Upload now = upload;
                if (offset == upload.length()) {
                    finish(upload);
                    now = reload(upload.id());
                }
                respondOffset(exchange, now, offset);
            } finally {
                lock.close();
            }
        }

        @Override
        public void stoppedShort() throws Exception {
            try {
                log.debug("video {}: upload {} body stopped at offset {}", upload.videoId(), upload.id(), appender.close());
            } finally {
                lock.close();
            }
        }
    }

    /** DELETE (termination): the upload is given up and its bytes go. */
    public void terminate(ApiRequest request) throws Exception {
        HttpServerExchange exchange = begin(request);
        Upload found = load(request);
        try (UploadLocks.Held ignored = locks.tryLock(found.id()).orElseThrow(TusUploadHandler::busy)) {
            uploads.find(found.id()).ifPresent(aborter::abort);
        }
        exchange.setStatusCode(204);
        exchange.endExchange();
    }

    /** POST with {@code X-HTTP-Method-Override}, for clients behind proxies that only pass GET and POST. */
    public void overridden(ApiRequest request) throws Exception {
        String method = request.header(METHOD_OVERRIDE).orElse("");
        switch (method.toUpperCase(Locale.ROOT)) {
            case "PATCH" -> patch(request);
            case "DELETE" -> terminate(request);
            case "HEAD" -> head(request);
            default -> throw new ApiException(405, "method_not_allowed", "POST to an upload needs X-HTTP-Method-Override: PATCH, DELETE or HEAD");
        }
    }

    private static ApiException busy() {
        return ApiException.retryLater(423, "upload_busy", BUSY_RETRY_SECONDS,
                "another request is writing to this upload; retry shortly");
    }

    private void finish(Upload upload) throws Exception {
        assembler.finish(upload);
        locks.forget(upload.id());
        queue.queue(upload.videoId());
    }

    private Video videoFor(ApiRequest request, TusMetadata metadata) {
        Optional<String> videoId = metadata.get("videoId");
        if (videoId.isPresent()) {
            if (!Ids.isValid(videoId.get())) {
                throw ApiException.badRequest("bad_id", "the videoId in Upload-Metadata is not an id");
            }
            Video video = lookup.manageable(videoId.get(), request.caller());
            UploadRules.checkAcceptsUpload(video);
            return video;
        }
        Visibility visibility = metadata.get("visibility").map(v -> Visibility.parse(v).orElseThrow(() ->
                ApiException.badRequest("invalid_metadata", "visibility must be public, unlisted or private")))
                .orElse(Visibility.PUBLIC);
        String title = clip(metadata.title().orElse("Untitled upload"), 200);
        return creator.create(request.caller(), title, "", visibility);
    }

    /** The upload named in the path, if the caller may write to it; an expired one is aborted on sight. */
    private Upload load(ApiRequest request) {
        String id = request.id("uploadId");
        request.caller().requireSignedIn();
        Upload upload = uploads.find(id).orElseThrow(() -> ApiException.notFound("no upload " + id));
        request.about(upload.videoId());
        lookup.manageable(upload.videoId(), request.caller());
        if (upload.expired(Instant.now())) {
            aborter.abort(upload);
            throw ApiException.notFound("upload " + id + " expired unfinished; start a new one");
        }
        return upload;
    }

    private Upload reload(String id) {
        return uploads.find(id).orElseThrow(() -> ApiException.notFound("upload " + id + " was terminated"));
    }

    private static HttpServerExchange begin(ApiRequest request) {
        HttpServerExchange exchange = request.exchange();
        exchange.getResponseHeaders().put(TUS_RESUMABLE, VERSION);
        Optional<String> version = request.header(TUS_RESUMABLE);
        if (version.isPresent() && !version.get().trim().equals(VERSION)) {
            exchange.getResponseHeaders().put(TUS_VERSION, VERSION);
            throw new ApiException(412, "unsupported_version", "this server speaks tus " + VERSION);
        }
        return exchange;
    }

    private static void respondOffset(HttpServerExchange exchange, Upload upload, long offset) {
        exchange.getResponseHeaders().put(UPLOAD_OFFSET, offset);
        if (!upload.completed()) {
            exchange.getResponseHeaders().put(UPLOAD_EXPIRES, httpDate(upload.expiresAt()));
        }
        exchange.setStatusCode(204);
        exchange.endExchange();
    }

    private static Optional<Long> number(ApiRequest request, HttpString header) {
        return request.header(header).map(v -> {
            try {
                long n = Long.parseLong(v.trim());
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid_header", header + " must be a non-negative whole number");
            }
        });
    }

    private static String httpDate(Instant t) {
        return HTTP_DATE.format(t.atZone(ZoneOffset.UTC));
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
