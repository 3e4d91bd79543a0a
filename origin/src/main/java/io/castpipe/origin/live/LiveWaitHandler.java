package io.castpipe.origin.live;

import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.castpipe.common.http.ClientAddress;
import io.castpipe.common.net.TrustedProxies;
import io.castpipe.origin.http.Errors;
import io.castpipe.origin.http.OriginRequest;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;

/**
 * The live requests that may wait, once access is granted: a media playlist request with
 * delivery directives ({@code _HLS_msn}, {@code _HLS_part}) waits in {@link BlockedReloads} until
 * the playlist has that segment or part, and a part asked for before it exists (a preload hint)
 * waits for the playlist that lists it. {@code _HLS_skip=YES} (or {@code v2}: there are no date
 * ranges to skip) gets the {@link PlaylistDeltas delta update} of the version served, when this
 * node has it. Each client address may have only its share of the node's waiting requests.
 */
public final class LiveWaitHandler implements HttpHandler {
    private static final Pattern PART = Pattern.compile("part-(\\d{1,18})\\.(\\d{1,9})\\.m4s");
    /** How soon a client refused for holding too many waiting requests may try again. */
    static final long RETRY_SECONDS = 1;

    private final BlockedReloads reloads;
    private final PlaylistDeltas deltas;
    private final TrustedProxies proxies;
    private final HttpHandler next;

    public LiveWaitHandler(BlockedReloads reloads, PlaylistDeltas deltas, TrustedProxies proxies, HttpHandler next) {
        this.reloads = reloads;
        this.deltas = deltas;
        this.proxies = proxies;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        OriginRequest request = OriginRequest.of(exchange);
        String key = request.storageKey();
        int fileStart = key.lastIndexOf('/') + 1;
        boolean inRendition = key.indexOf('/', "live/".length()) + 1 < fileStart;
        if (!inRendition) {
            next.handleRequest(exchange);
            return;
        }
        Matcher partFile = PART.matcher(key.substring(fileStart));
        if (request.type().isPlaylist()) {
            serveWhenReady(exchange, key);
        } else if (partFile.matches()) {
            String playlistKey = key.substring(0, fileStart) + "index.m3u8";
            long msn = Long.parseLong(partFile.group(1));
            int part = Integer.parseInt(partFile.group(2));
            BlockedReloads.Outcome outcome = reloads.request(playlistKey, msn, part, ClientAddress.limited(exchange, proxies));
            if (outcome instanceof BlockedReloads.Outcome.TooFarAhead) {
                Errors.notFound(exchange, "part " + msn + "." + part + " is too far ahead of the stream to wait for");
            } else {
                await(exchange, outcome, "part " + msn + "." + part);
            }
        } else {
            next.handleRequest(exchange);
        }
    }

    /** Delivery directives: {@code _HLS_msn} (and {@code _HLS_part}, which needs it) block until the playlist has the segment or part. */
    private void serveWhenReady(HttpServerExchange exchange, String key) throws Exception {
        String skip = query(exchange, "_HLS_skip");
        if (skip != null) {
            if (!skip.equals("YES") && !skip.equals("v2")) {
                Errors.badRequest(exchange, "_HLS_skip must be YES or v2");
                return;
            }
            OriginRequest.of(exchange).transform(playlist -> deltas.deltaOf(key, playlist));
        }
        String msnParam = query(exchange, "_HLS_msn");
        String partParam = query(exchange, "_HLS_part");
        if (msnParam == null) {
            if (partParam != null) {
                Errors.badRequest(exchange, "_HLS_part needs _HLS_msn");
                return;
            }
            next.handleRequest(exchange);
            return;
        }
        long msn;
        int part;
        try {
            msn = Long.parseLong(msnParam);
            part = partParam == null ? -1 : Integer.parseInt(partParam);
            if (msn < 0 || (partParam != null && part < 0)) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            Errors.badRequest(exchange, "_HLS_msn and _HLS_part must be non-negative integers");
            return;
        }
        BlockedReloads.Outcome outcome = reloads.request(key, msn, part, ClientAddress.limited(exchange, proxies));
        if (outcome instanceof BlockedReloads.Outcome.TooFarAhead far) {
            Errors.badRequest(exchange, "_HLS_msn " + msn + (part >= 0 ? " _HLS_part " + part : "")
                    + " is further ahead than the playlist may get soon (its last segment is " + far.lastSequence() + ")");
        } else {
            await(exchange, outcome, part >= 0 ? "part " + msn + "." + part : "segment " + msn);
        }
    }

    /**
     * Serves at once, after the wait, or refuses when the wait is refused or runs out. A waiting
     * request is parked once this handler has returned and the exchange is Undertow's to keep
     * open, so that it cannot be answered while still in this call.
     */
    private void await(HttpServerExchange exchange, BlockedReloads.Outcome outcome, String what) throws Exception {
        if (outcome instanceof BlockedReloads.Outcome.AddressOverloaded full) {
            Errors.tryLater(exchange, 429, "too_many_waiting", "this address has " + full.share()
                    + " requests waiting on this origin already; retry once some are answered", RETRY_SECONDS);
        } else if (outcome instanceof BlockedReloads.Outcome.Overloaded) {
            Errors.tryLater(exchange, 503, "overloaded", "too many requests are waiting on this origin; retry", RETRY_SECONDS);
        } else if (outcome instanceof BlockedReloads.Outcome.Wait wait) {
            ParkedExchange parked = new ParkedExchange(exchange, next, what, wait.limit().toSeconds());
            exchange.dispatch(SameThreadExecutor.INSTANCE, () -> wait.park(parked));
        } else {
            next.handleRequest(exchange);
        }
    }

    private static String query(HttpServerExchange exchange, String name) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
