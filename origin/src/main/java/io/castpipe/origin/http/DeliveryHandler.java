package io.castpipe.origin.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

import io.castpipe.common.storage.ObjectNotFoundException;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.origin.cache.CachedObject;
import io.castpipe.origin.cache.Lookup;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last in the chain: turns the looked-up object and the request's preconditions into a
 * {@link Reply} — 404, 304, 416, 206 or 200, with the header policy — and hands it to the
 * {@link ReplyEncoder}. Pure decisions; all I/O is the encoder's.
 */
public final class DeliveryHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(DeliveryHandler.class);
    /** Below this a gzip header costs more than it saves. */
    static final int GZIP_MIN_BYTES = 64;
    /** Largest uncached object read whole to rewrite it for one client. */
    static final int MAX_TRANSFORM_BYTES = 16 * 1024 * 1024;

    private final ObjectStore store;
    private final ReplyEncoder encoder;
    private final long sharedMaxAgeSeconds;
    /** Texts are small (playlists, sidecars); a few thousand cover every live rendition of a busy node. */
    private final GzippedCopies gzipped = new GzippedCopies(4096);

    /** @param sharedMaxAgeSeconds longest a shared cache may keep a public response (s-maxage) */
    public DeliveryHandler(ObjectStore store, ReplyEncoder encoder, long sharedMaxAgeSeconds) {
        this.store = store;
        this.encoder = encoder;
        this.sharedMaxAgeSeconds = sharedMaxAgeSeconds;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        OriginRequest request = OriginRequest.of(exchange);
        Lookup lookup = request.lookup();
        if (lookup instanceof Lookup.Found found) {
            CachedObject object = found.object();
            respond(exchange, request, object.bytes(), object.etag());
        } else if (lookup instanceof Lookup.TooLarge large) {
            if (request.transform() == null) {
                respondStreamed(exchange, request, large);
            } else {
                exchange.dispatch(ex -> readWholeThenRespond(ex, request, large));
            }
        } else {
            Errors.notFound(exchange, "no such object");
        }
    }

    private void respond(HttpServerExchange exchange, OriginRequest request, byte[] content, String etag) {
        if (request.transform() != null) {
            content = request.transform().apply(content);
            etag = CachedObject.contentTag(content);
        }
        Preconditions p = request.preconditions();
        boolean compressible = request.type().isText() && content.length >= GZIP_MIN_BYTES;
        String gzipTag = compressible ? EntityTags.gzipped(etag) : null;
        boolean gzip = compressible && p.acceptsGzip();
        HeaderMap headers = baseHeaders(request, gzip ? gzipTag : etag);

        if (EntityTags.noneMatchHits(p.ifNoneMatch(), etag, gzipTag)) {
            encoder.write(exchange, Reply.empty(304, headers), p.head());
            return;
        }
        ByteRange range = EntityTags.ifRangeHolds(p.ifRange(), etag) ? p.range() : null;
        if (range != null) {
            headers.put(Headers.ETAG, etag);
            Optional<ByteRange.Slice> slice = range.resolve(content.length);
            if (slice.isEmpty()) {
                unsatisfiable(exchange, content.length);
                return;
            }
            ByteRange.Slice s = slice.get();
            headers.put(Headers.CONTENT_RANGE, s.contentRange());
            encoder.write(exchange, Reply.bytes(206, headers, content, (int) s.first(), (int) s.length()), p.head());
            return;
        }
        if (gzip) {
            content = gzipped.of(etag, content);
            headers.put(Headers.CONTENT_ENCODING, "gzip");
        }
        encoder.write(exchange, Reply.bytes(200, headers, content, 0, content.length), p.head());
    }

    private void respondStreamed(HttpServerExchange exchange, OriginRequest request, Lookup.TooLarge large) {
        Preconditions p = request.preconditions();
        HeaderMap headers = baseHeaders(request, large.etag());
        if (EntityTags.noneMatchHits(p.ifNoneMatch(), large.etag())) {
            encoder.write(exchange, Reply.empty(304, headers), p.head());
            return;
        }
        ByteRange range = EntityTags.ifRangeHolds(p.ifRange(), large.etag()) ? p.range() : null;
        if (range == null) {
            ByteRange.Slice whole = new ByteRange.Slice(0, large.size() - 1, large.size());
            encoder.write(exchange, Reply.streamed(200, headers, large.key(), whole), p.head());
            return;
        }
        Optional<ByteRange.Slice> slice = range.resolve(large.size());
        if (slice.isEmpty()) {
            unsatisfiable(exchange, large.size());
            return;
        }
        headers.put(Headers.CONTENT_RANGE, slice.get().contentRange());
        encoder.write(exchange, Reply.streamed(206, headers, large.key(), slice.get()), p.head());
    }

    /** An uncached object this client needs rewritten (a long private playlist): read it whole. */
    private void readWholeThenRespond(HttpServerExchange exchange, OriginRequest request, Lookup.TooLarge large) {
        if (large.size() > MAX_TRANSFORM_BYTES) {
            log.warn("{} is {} bytes, too big to rewrite for a token holder", large.key(), large.size());
            Errors.send(exchange, 502, "too_large", "this object is too large to serve with a token");
            return;
        }
        byte[] content;
        try (InputStream in = store.get(large.key())) {
            content = in.readNBytes(MAX_TRANSFORM_BYTES + 1);
        } catch (ObjectNotFoundException e) {
            Errors.notFound(exchange, "no such object");
            return;
        } catch (IOException | RuntimeException e) {
            log.warn("reading {} to rewrite it failed: {}", large.key(), e.getMessage());
            Errors.send(exchange, 502, "storage_error", "object storage failed; try again");
            return;
        }
        respond(exchange, request, content, CachedObject.contentTag(content));
    }

    private HeaderMap baseHeaders(OriginRequest request, String etag) {
        HeaderMap h = new HeaderMap();
        h.put(Headers.CONTENT_TYPE, request.type().contentType());
        h.put(Headers.CACHE_CONTROL, request.cacheControl(sharedMaxAgeSeconds));
        h.put(Headers.ACCEPT_RANGES, "bytes");
        h.put(Headers.ETAG, etag);
        if (request.type().isText()) {
            h.put(Headers.VARY, "Accept-Encoding");
        }
        return h;
    }

    private static void unsatisfiable(HttpServerExchange exchange, long length) {
        exchange.getResponseHeaders().put(Headers.CONTENT_RANGE, "bytes */" + length);
        exchange.getResponseHeaders().put(Headers.ACCEPT_RANGES, "bytes");
        Errors.send(exchange, 416, "range_not_satisfiable", "the object has " + length + " bytes");
    }
}
