package io.castpipe.api.http;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import io.castpipe.api.auth.Authenticator;
import io.castpipe.api.auth.Caller;
import io.castpipe.common.http.JsonResponses;
import io.castpipe.common.net.RefusalLog;
import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link Endpoint} off the IO thread with the authenticated caller once its
 * {@link RateLimits} admit it, and turns every
 * failure into the API's JSON error: an {@link ApiException} as it says, anything else as a 500
 * with one log line naming the video. A request with a body takes its place among the bodies
 * arriving ({@link BodyReceiver#admit}) before anything else is done for it; a JSON body (at most
 * {@link ApiRequest#MAX_JSON_BYTES}) is then received, without a thread waiting on it, and an
 * endpoint that streams its body (uploads) takes it itself through {@link ApiRequest#receiveBody}.
 * GET, HEAD, DELETE and OPTIONS take no body: one declared is refused, unread.
 */
public final class EndpointHandler implements HttpHandler {
    /** The most of a refused request's unread body that is read and dropped rather than reset. */
    static final long DRAIN_MAX_BYTES = 16L << 20;
    private static final Logger log = LoggerFactory.getLogger(EndpointHandler.class);
    private static final RefusalLog DATABASE_AWAY = new RefusalLog(log, "request(s) with 503: the database is unavailable",
            Duration.ofSeconds(10));
    private static final RefusalLog STORAGE_AWAY = new RefusalLog(log, "request(s) with 503: object storage is unavailable",
            Duration.ofSeconds(10));
    private static final Set<HttpString> BODILESS = Set.of(Methods.GET, Methods.HEAD, Methods.DELETE, Methods.OPTIONS);

    private final Authenticator authenticator;
    private final RateLimits rateLimits;
    private final RateLimits.Kind kind;
    private final BodyReceiver bodies;
    private final Endpoint endpoint;
    private final boolean streamsBody;

    /** @param streamsBody whether the endpoint takes its body itself rather than as JSON */
    public EndpointHandler(Authenticator authenticator, RateLimits rateLimits, RateLimits.Kind kind, BodyReceiver bodies,
                           Endpoint endpoint, boolean streamsBody) {
        this.authenticator = authenticator;
        this.rateLimits = rateLimits;
        this.kind = kind;
        this.bodies = bodies;
        this.endpoint = endpoint;
        this.streamsBody = streamsBody;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            // An address out of refused tokens is turned away here, before its token is looked up.
            guarded(exchange, () -> {
                if (exchange.getRequestHeaders().contains(Headers.AUTHORIZATION)) {
                    rateLimits.checkTokenGuesses(exchange);
                }
                exchange.dispatch(this);
            });
            return;
        }
        guarded(exchange, () -> {
            boolean bodiless = BODILESS.contains(exchange.getRequestMethod());
            if (bodiless) {
                refuseDeclaredBody(exchange);
            }
            Caller caller = authenticate(exchange);
            rateLimits.admit(exchange, caller, kind);
            if (bodiless || exchange.isRequestComplete() || exchange.getRequestContentLength() == 0) {
                endpoint.handle(new ApiRequest(exchange, caller, new byte[0], bodies, null));
                return;
            }
            BodyAdmissions.Admission admission = bodies.admit(exchange);
            try {
                handleWithBody(exchange, caller, admission);
            } finally {
                admission.releaseUnlessReceiving();
            }
        });
    }

    private void handleWithBody(HttpServerExchange exchange, Caller caller, BodyAdmissions.Admission admission) throws Exception {
        if (streamsBody) {
            endpoint.handle(new ApiRequest(exchange, caller, new byte[0], bodies, admission));
            return;
        }
        long declared = exchange.getRequestContentLength();
        if (declared > ApiRequest.MAX_JSON_BYTES) {
            throw ApiRequest.jsonTooLarge();
        }
        int chunk = (int) (declared < 0 ? ApiRequest.MAX_JSON_BYTES : declared) + 1;
        bodies.receive(exchange, admission, chunk, new JsonBody(exchange, caller));
    }

    /**
     * No endpoint of these methods reads a body, so one declared (a length, or chunked) is a
     * mistake or an attack: it is refused and the connection closed rather than read to its end,
     * which a client could stretch out. An HTTP/2 stream left open without a length may yet end
     * empty (some clients end it with an empty DATA frame), so it is served without reading one.
     */
    private static void refuseDeclaredBody(HttpServerExchange exchange) {
        if (exchange.getRequestContentLength() > 0 || exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING)) {
            exchange.setPersistent(false);
            exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
            throw ApiException.badRequest("body_not_allowed", exchange.getRequestMethod() + " takes no request body");
        }
    }

    private Caller authenticate(HttpServerExchange exchange) {
        try {
            return authenticator.authenticate(exchange);
        } catch (ApiException e) {
            if (e.status() == 401) {
                rateLimits.refusedToken(exchange);
            }
            throw e;
        }
    }

    /** Runs {@code action}, answering whatever it throws. */
    static void guarded(HttpServerExchange exchange, Action action) {
        try {
            action.run();
        } catch (Exception | Error e) {
            answerFailure(exchange, e);
        }
    }

    static void answerFailure(HttpServerExchange exchange, Throwable failure) {
        if (failure instanceof ApiException e) {
            if (e.status() == 401) {
                exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
            }
            if (e.retryAfterSeconds() > 0) {
                exchange.getResponseHeaders().put(Headers.RETRY_AFTER, e.retryAfterSeconds());
            }
            if (e.status() == 409) {
                letUnreadBodyDrain(exchange);
            }
            respond(exchange, e.status(), e.code(), e.getMessage());
            return;
        }
        Optional<String> away = DependencyFailures.unavailable(failure);
        if (away.isPresent()) {
            (away.get().equals("database") ? DATABASE_AWAY : STORAGE_AWAY).refused(exchange.getRequestMethod() + " "
                    + exchange.getRequestPath() + ": " + describe(failure));
            exchange.getResponseHeaders().put(Headers.RETRY_AFTER, DependencyFailures.RETRY_AFTER_SECONDS);
            respond(exchange, 503, away.get() + "_unavailable", "the " + away.get() + " is unavailable for a moment; retry shortly");
            return;
        }
        log.error("{} {} failed (video {}): {}", exchange.getRequestMethod(), exchange.getRequestPath(),
                ApiRequest.videoIdOf(exchange), describe(failure));
        log.debug("stack trace", failure);
        respond(exchange, 500, "internal", "the server failed to handle this request; it has been logged");
    }

    /**
     * A signed-in client's request refused for a conflict before its body was read (a second upload
     * of a video that has its source) keeps its connection while Undertow reads and drops the rest
     * of the body, up to {@link #DRAIN_MAX_BYTES}. Closed at once instead, the connection would be
     * reset under a client still sending, which then loses the answer too (RFC 9112 §9.6); browsers
     * never send {@code Expect: 100-continue}. Only conflicts: such a drain has no minimum rate, so
     * refusals an anonymous or flooding client can cause (401, 429) still close at once.
     */
    private static void letUnreadBodyDrain(HttpServerExchange exchange) {
        long declared = exchange.getRequestContentLength();
        if (declared > 0 && declared <= DRAIN_MAX_BYTES && exchange.isPersistent() && exchange.isRequestChannelAvailable()
                && !exchange.isRequestComplete()) {
            exchange.setMaxEntitySize(declared);
        }
    }

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    /** A small JSON body collected in memory; once whole, the endpoint runs on a worker thread with it. */
    private final class JsonBody implements BodySink {
        private final HttpServerExchange exchange;
        private final Caller caller;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        JsonBody(HttpServerExchange exchange, Caller caller) {
            this.exchange = exchange;
            this.caller = caller;
        }

        @Override
        public void write(byte[] b, int offset, int length) {
            if (bytes.size() + length > ApiRequest.MAX_JSON_BYTES) {
                throw ApiRequest.jsonTooLarge();
            }
            bytes.write(b, offset, length);
        }

        @Override
        public void complete() {
            exchange.getConnection().getWorker().execute(() -> Connectors.executeRootHandler(ex -> guarded(ex,
                    () -> endpoint.handle(new ApiRequest(ex, caller, bytes.toByteArray(), bodies, null))), exchange));
        }

        @Override
        public void stoppedShort() {
            // nothing held
        }
    }

    private static void respond(HttpServerExchange exchange, int status, String code, String message) {
        if (exchange.isResponseStarted()) {
            exchange.endExchange();
            return;
        }
        exchange.getResponseHeaders().remove(Headers.LOCATION);
        JsonResponses.error(exchange, status, code, message);
    }

    private static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(e.toString());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            s.append(" <- ").append(c);
        }
        return s.toString();
    }
}
