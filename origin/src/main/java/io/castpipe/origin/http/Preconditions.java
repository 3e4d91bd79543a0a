package io.castpipe.origin.http;

/**
 * The request headers that shape the response, parsed once: conditional ({@code If-None-Match},
 * {@code If-Range}), {@code Range}, whether the client takes gzip, and whether it is a HEAD.
 */
public record Preconditions(String ifNoneMatch, String ifRange, ByteRange range, boolean acceptsGzip, boolean head) {
    public static final Preconditions NONE = new Preconditions(null, null, null, false, false);
}
