package io.castpipe.api.uploads;

import java.io.IOException;
import java.time.Instant;

import io.castpipe.api.http.ApiException;
import io.castpipe.api.http.ApiRequest;
import io.castpipe.api.http.BodySink;
import io.castpipe.api.videos.Video;
import io.castpipe.api.videos.VideoLookup;
import io.castpipe.api.videos.VideoRepository;
import io.castpipe.api.videos.VideoView;
import io.castpipe.common.http.JsonResponses;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.ObjectOutputStream;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.common.storage.ObjectTooLargeException;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * {@code PUT /api/videos/{id}/source}: the whole source in one request body, streamed into
 * storage as it arrives with at most one part in memory (and no thread waiting on the client),
 * as many at once as {@link UploadSlots} allow. Not resumable; for large files tus or a
 * presigned URL is the better way.
 */
public final class SourceUploadEndpoint {

    private final UploadRules rules;
    private final ObjectStore store;
    private final VideoRepository videos;
    private final VideoLookup lookup;
    private final VideoView view;
    private final UploadAborter aborter;
    private final SourceQueue queue;
    private final UploadSlots slots = new UploadSlots();

    SourceUploadEndpoint(UploadRules rules, ObjectStore store, VideoRepository videos, VideoView view,
                         UploadAborter aborter, SourceQueue queue) {
        this.rules = rules;
        this.store = store;
        this.videos = videos;
        this.lookup = new VideoLookup(videos);
        this.view = view;
        this.aborter = aborter;
        this.queue = queue;
    }

    public void put(ApiRequest request) throws IOException {
        HttpServerExchange exchange = request.exchange();
        String videoId = request.id("id");
        request.about(videoId);
        Video video = lookup.manageable(videoId, request.caller());
        UploadRules.checkAcceptsUpload(video);
        request.requireContentLength();
        long declared = exchange.getRequestContentLength();
        if (declared <= 0) {
            throw ApiException.badRequest("empty_upload", "the body is empty; send the video file as the request body");
        }
        rules.checkSize(declared);
        UploadSlots.Slot slot = slots.take(video.ownerId());
        try {
            receive(request, videoId, slot);
        } catch (IOException | RuntimeException e) {
            slot.giveBack();
            throw e;
        }
    }

    private void receive(ApiRequest request, String videoId, UploadSlots.Slot slot) throws IOException {
        HttpServerExchange exchange = request.exchange();
        aborter.abortAll(videoId);
        if (!videos.markUploading(videoId, Instant.now())) {
            throw ApiException.conflict("invalid_state", "video " + videoId + " no longer takes a source");
        }
        ObjectOutputStream out = null;
        try {
            out = store.openForWrite(ObjectKeys.uploadSource(videoId), contentType(exchange), rules.maxBytes());
            request.receiveBody(new SourceBody(request, videoId, slot, out));
        } catch (RuntimeException e) {
            giveUp(out, videoId);
            throw e;
        }
    }

    /** The body going into storage as it arrives; the slot is held until it ends. */
    private final class SourceBody implements BodySink {
        private final ApiRequest request;
        private final String videoId;
        private final UploadSlots.Slot slot;
        private final ObjectOutputStream out;

        SourceBody(ApiRequest request, String videoId, UploadSlots.Slot slot, ObjectOutputStream out) {
            this.request = request;
            this.videoId = videoId;
            this.slot = slot;
            this.out = out;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            try {
                out.write(bytes, offset, length);
            } catch (ObjectTooLargeException e) {
                throw rules.tooLarge();
            }
        }

        @Override
        public void complete() throws IOException {
            try {
                out.close();
            } catch (IOException | RuntimeException e) {
                giveUp(out, videoId);
                throw e;
            } finally {
                slot.giveBack();
            }
            queue.queue(videoId);
            Video queued = videos.find(videoId).orElseThrow(() -> ApiException.notFound("no video " + videoId));
            JsonResponses.send(request.exchange(), 200, view.render(queued, request.caller()));
        }

        @Override
        public void stoppedShort() {
            slot.giveBack();
            giveUp(out, videoId);
        }
    }

    /** Aborts what storage holds of the upload ({@code out} null: nothing yet) and gives the video back its state. */
    private void giveUp(ObjectOutputStream out, String videoId) {
        if (out != null) {
            out.abort();
        }
        videos.revertToCreatedIfIdle(videoId, Instant.now());
    }

    private static String contentType(HttpServerExchange exchange) {
        String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        return type != null && type.matches("(video|audio)/[A-Za-z0-9.+-]{1,64}") ? type : "application/octet-stream";
    }
}
