package io.castpipe.origin.live;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.castpipe.common.media.ObjectKeys;
import io.castpipe.origin.http.Errors;
import io.castpipe.origin.http.MediaType;
import io.castpipe.origin.http.OriginRequest;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;

/**
 * {@code /live/{channel}/master.m3u8} and {@code /live/{channel}/{rendition}/{file}}: checks the
 * path strictly, finds the channel's current stream and starts the request for its storage key.
 * Playlists change every segment, so they may be cached for a second; segments and init
 * sections never change under one name. Requests of media playlists and segments are what the
 * {@link ViewerCounter} counts. A media playlist request with delivery directives
 * ({@code _HLS_msn}) waits in {@link BlockedReloads} until the playlist has that segment;
 * {@code _HLS_skip=YES} (or {@code v2}: there are no date ranges to skip) gets the
 * {@link PlaylistDeltas delta update} of the version served, when this node has it.
 */
public final class LivePathHandler implements HttpHandler {
    private static final Pattern PATH = Pattern.compile(
            "/live/([a-z0-9][a-z0-9_-]{2,31})/(?:([A-Za-z0-9][A-Za-z0-9_-]{0,31})/)?([A-Za-z0-9][A-Za-z0-9_-]{0,63}(?:\\.[0-9]{1,9})?\\.(?:m3u8|m4s|mp4))");
    private static final Pattern PART = Pattern.compile("part-(\\d{1,18})\\.(\\d{1,9})\\.m4s");
    static final long PLAYLIST_MAX_AGE = 1;
    static final long IMMUTABLE_MAX_AGE = 31_536_000;

    private final LiveChannels channels;
    private final ViewerCounter viewers;
    private final BlockedReloads reloads;
    private final PlaylistDeltas deltas;
    private final HttpHandler next;

    public LivePathHandler(LiveChannels channels, ViewerCounter viewers, BlockedReloads reloads, PlaylistDeltas deltas,
                           HttpHandler next) {
        this.channels = channels;
        this.viewers = viewers;
        this.reloads = reloads;
        this.deltas = deltas;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        Matcher m = PATH.matcher(exchange.getRequestURI());
        if (!m.matches()) {
            Errors.notFound(exchange, "no such path; live playback starts at /live/{channel}/master.m3u8");
            return;
        }
        String channel = m.group(1);
        Optional<String> stream = channels.streamOf(channel);
        if (stream.isEmpty()) {
            Errors.notFound(exchange, "channel " + channel + " has not been live");
            return;
        }
        String rendition = m.group(2);
        String file = m.group(3);
        String key = rendition == null ? ObjectKeys.livePrefix(stream.get()) + file
                : ObjectKeys.liveFile(stream.get(), rendition, file);
        MediaType type = MediaType.ofFile(file).orElseThrow();
        boolean playlist = type.isPlaylist();
        if (rendition != null && !file.endsWith(".mp4")) {
            viewers.seen(stream.get(), clientAddress(exchange), exchange.getRequestHeaders().getFirst(Headers.USER_AGENT));
        }
        new OriginRequest(key, stream.get(), type, playlist ? PLAYLIST_MAX_AGE : IMMUTABLE_MAX_AGE, !playlist)
                .attachTo(exchange);
        Matcher partFile = PART.matcher(file);
        if (playlist && rendition != null) {
            serveWhenReady(exchange, key);
        } else if (rendition != null && partFile.matches()) {
            // A part asked for before it exists (a preload hint) waits for the playlist that lists it.
            String playlistKey = ObjectKeys.liveFile(stream.get(), rendition, "index.m3u8");
            long msn = Long.parseLong(partFile.group(1));
            int part = Integer.parseInt(partFile.group(2));
            BlockedReloads.Outcome outcome = reloads.request(playlistKey, msn, part);
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
        BlockedReloads.Outcome outcome = reloads.request(key, msn, part);
        if (outcome instanceof BlockedReloads.Outcome.TooFarAhead far) {
            Errors.badRequest(exchange, "_HLS_msn " + msn + (part >= 0 ? " _HLS_part " + part : "")
                    + " is further ahead than the playlist may get soon (its last segment is " + far.lastSequence() + ")");
        } else {
            await(exchange, outcome, part >= 0 ? "part " + msn + "." + part : "segment " + msn);
        }
    }

    /**
     * Serves at once, after the wait, or answers 503 when the wait is refused or runs out. A
     * waiting request is parked once this handler has returned and the exchange is Undertow's
     * to keep open, so that it cannot be answered while still in this call.
     */
    private void await(HttpServerExchange exchange, BlockedReloads.Outcome outcome, String what) throws Exception {
        if (outcome instanceof BlockedReloads.Outcome.Overloaded) {
            Errors.send(exchange, 503, "overloaded", "too many requests are waiting on this origin; retry");
        } else if (outcome instanceof BlockedReloads.Outcome.Wait wait) {
            ParkedExchange parked = new ParkedExchange(exchange, next, what, wait.limit().toSeconds());
            exchange.dispatch(SameThreadExecutor.INSTANCE, () -> wait.park(parked));
        } else {
            next.handleRequest(exchange);
        }
    }

    private static String query(HttpServerExchange exchange, String name) {
        java.util.Deque<String> values = exchange.getQueryParameters().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** The first X-Forwarded-For address (the viewer behind a CDN or proxy), else the peer's. */
    private static String clientAddress(HttpServerExchange exchange) {
        String forwarded = exchange.getRequestHeaders().getFirst(Headers.X_FORWARDED_FOR);
        if (forwarded != null) {
            int comma = forwarded.indexOf(',');
            String first = (comma < 0 ? forwarded : forwarded.substring(0, comma)).trim();
            if (!first.isEmpty()) {
                return first;
            }
        }
        return exchange.getSourceAddress().getAddress().getHostAddress();
    }
}
