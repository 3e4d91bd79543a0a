package io.castpipe.origin.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.Methods;

/** Parses the conditional, range and encoding headers into the request's {@link Preconditions}. */
public final class PreconditionsHandler implements HttpHandler {
    private final HttpHandler next;

    public PreconditionsHandler(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        var h = exchange.getRequestHeaders();
        HeaderValues ranges = h.get(Headers.RANGE);
        // Two Range header lines are as good as a multi-range: serve the whole object.
        ByteRange range = ranges != null && ranges.size() == 1 ? ByteRange.parse(ranges.getFirst()) : null;
        HeaderValues inm = h.get(Headers.IF_NONE_MATCH);
        String ifNoneMatch = inm == null ? null : String.join(", ", inm);
        OriginRequest.of(exchange).preconditions(new Preconditions(ifNoneMatch, h.getFirst(Headers.IF_RANGE), range,
                acceptsGzip(h.get(Headers.ACCEPT_ENCODING)), exchange.getRequestMethod().equals(Methods.HEAD)));
        next.handleRequest(exchange);
    }

    /** Whether {@code Accept-Encoding} admits gzip (by name or {@code *}) with a q-value above zero. */
    static boolean acceptsGzip(HeaderValues values) {
        if (values == null) {
            return false;
        }
        boolean star = false;
        for (String value : values) {
            for (String part : value.split(",")) {
                String[] p = part.split(";");
                String coding = p[0].trim().toLowerCase(java.util.Locale.ROOT);
                boolean allowed = true;
                for (int i = 1; i < p.length; i++) {
                    String param = p[i].trim().toLowerCase(java.util.Locale.ROOT);
                    if (param.startsWith("q=")) {
                        try {
                            allowed = Double.parseDouble(param.substring(2)) > 0;
                        } catch (NumberFormatException e) {
                            allowed = false;
                        }
                    }
                }
                if (coding.equals("gzip") || coding.equals("x-gzip")) {
                    return allowed;
                }
                if (coding.equals("*")) {
                    star = allowed;
                }
            }
        }
        return star;
    }
}
