package io.castpipe.origin.http;

import java.util.function.UnaryOperator;

import io.castpipe.origin.cache.Lookup;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;

/**
 * What the handler chain has learnt about one request, attached to the exchange. The path
 * handler creates it (storage key, type, freshness); later handlers fill in the rest: the
 * access decision, the parsed conditional and range headers, the looked-up object.
 */
public final class OriginRequest {
    private static final AttachmentKey<OriginRequest> KEY = AttachmentKey.create(OriginRequest.class);

    private final String storageKey;
    private final String videoId;
    private final MediaType type;
    private final long maxAgeSeconds;
    private final boolean immutable;

    private boolean liveWindow;
    private boolean privateResponse;
    private UnaryOperator<byte[]> transform;
    private Preconditions preconditions = Preconditions.NONE;
    private Lookup lookup;

    /**
     * @param storageKey    the object to serve
     * @param videoId       the video whose access record decides who gets the object; for live, the
     *                      stream's id, which is its recording's
     * @param maxAgeSeconds how long clients may keep the response (shared caches less: {@link #cacheControl})
     * @param immutable     whether the object never changes under this name
     */
    public OriginRequest(String storageKey, String videoId, MediaType type, long maxAgeSeconds, boolean immutable) {
        this.storageKey = storageKey;
        this.videoId = videoId;
        this.type = type;
        this.maxAgeSeconds = maxAgeSeconds;
        this.immutable = immutable;
    }

    public static OriginRequest of(HttpServerExchange exchange) {
        OriginRequest r = exchange.getAttachment(KEY);
        if (r == null) {
            throw new IllegalStateException("no OriginRequest: the path handler must come first in the chain");
        }
        return r;
    }

    public OriginRequest attachTo(HttpServerExchange exchange) {
        exchange.putAttachment(KEY, this);
        return this;
    }

    public String storageKey() {
        return storageKey;
    }

    public String videoId() {
        return videoId;
    }

    public MediaType type() {
        return type;
    }

    public long maxAgeSeconds() {
        return maxAgeSeconds;
    }

    public boolean immutable() {
        return immutable;
    }

    /** Whether the object is part of a stream's live window while it is live: public like the channel. */
    public boolean liveWindow() {
        return liveWindow;
    }

    public void markLiveWindow() {
        this.liveWindow = true;
    }

    /** Whether only the requesting client may cache the response (private video, token in the URL). */
    public boolean privateResponse() {
        return privateResponse;
    }

    public void markPrivate() {
        this.privateResponse = true;
    }

    /** A rewrite of the body for this client only (e.g. tokens added to a playlist's URIs); or null. */
    public UnaryOperator<byte[]> transform() {
        return transform;
    }

    public void transform(UnaryOperator<byte[]> transform) {
        this.transform = transform;
    }

    public Preconditions preconditions() {
        return preconditions;
    }

    public void preconditions(Preconditions preconditions) {
        this.preconditions = preconditions;
    }

    public Lookup lookup() {
        return lookup;
    }

    public void lookup(Lookup lookup) {
        this.lookup = lookup;
    }

    /**
     * The Cache-Control value for a successful response. A public one lets shared caches (CDNs)
     * keep it at most {@code sharedMaxAgeSeconds} before they ask again, so that a video made
     * private or deleted leaves them within that bound; browsers keep it {@code max-age}.
     */
    public String cacheControl(long sharedMaxAgeSeconds) {
        StringBuilder value = new StringBuilder(privateResponse ? "private" : "public").append(", max-age=").append(maxAgeSeconds);
        if (!privateResponse && maxAgeSeconds > sharedMaxAgeSeconds) {
            value.append(", s-maxage=").append(sharedMaxAgeSeconds);
        }
        return immutable ? value.append(", immutable").toString() : value.toString();
    }
}
