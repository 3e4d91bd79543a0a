package io.castpipe.origin.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Deque;
import java.util.Optional;

import io.castpipe.common.auth.PlaybackTokens;
import io.castpipe.origin.http.Async;
import io.castpipe.origin.http.Errors;
import io.castpipe.origin.http.OriginRequest;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one decision on who gets a video's bytes, for {@code /vod} and {@code /live} alike: the
 * request's {@link OriginRequest#videoId() video} (for live, the recording: the stream's id) and
 * its {@link VideoAccess access record}.
 *
 * <ul>
 * <li>A tombstone: the video was deleted. 404 for everyone, tokens and the admin included, the live
 *     window included, whatever is still in storage.</li>
 * <li>A stream's live window while it is live: public like the channel, whatever the recording's
 *     visibility, and also while the recording has no record yet (the API is behind on the stream's
 *     start), since a channel's live stream does not wait for the API.</li>
 * <li>No record, anything else: 404 for everyone (fail closed): the video is not known yet.</li>
 * <li>Public and unlisted: anyone.</li>
 * <li>Private: a client with a valid {@code ?token=} for that video ({@link PlaybackTokens}) or the
 *     admin token as {@code Authorization: Bearer} (when this node has one); else 403, before the
 *     object is looked for, so its existence is not revealed.</li>
 * </ul>
 * Responses to a request carrying a token, and every response of a private video, are
 * {@code Cache-Control: private}; a private playlist served to a token holder has the token added
 * to its URIs.
 */
public final class AccessHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(AccessHandler.class);
    /** How soon to ask again when the access record cannot be read. */
    private static final long RETRY_SECONDS = 2;

    private final VideoAccess access;
    private final PlaybackTokens tokens;
    private final Optional<byte[]> adminToken;
    private final Clock clock;
    private final Duration timeout;
    private final HttpHandler next;

    public AccessHandler(VideoAccess access, PlaybackTokens tokens, Optional<String> adminToken, Clock clock,
                         Duration timeout, HttpHandler next) {
        this.access = access;
        this.tokens = tokens;
        this.adminToken = adminToken.filter(t -> !t.isEmpty()).map(t -> t.getBytes(StandardCharsets.UTF_8));
        this.clock = clock;
        this.timeout = timeout;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        OriginRequest request = OriginRequest.of(exchange);
        Deque<String> tokenParam = exchange.getQueryParameters().get("token");
        String token = tokenParam == null ? null : tokenParam.peekFirst();
        if (token != null) {
            request.markPrivate();
        }
        String id = request.videoId();
        Async.await(exchange, access.visibility(id), timeout, (ex, visibility, error) -> {
            if (error != null) {
                Errors.tryLater(ex, 503, "unavailable", "cannot tell who may play this video now; try again", RETRY_SECONDS);
                return;
            }
            boolean deleted = visibility.orElse(null) == Visibility.DELETED;
            if (deleted || (visibility.isEmpty() && !request.liveWindow())) {
                log.debug("video {}: refused {} ({})", id, request.storageKey(), deleted ? "deleted" : "no access record yet");
                Errors.notFound(ex, "no such video");
                return;
            }
            if (request.liveWindow() || visibility.get() != Visibility.PRIVATE) {
                next.handleRequest(ex);
                return;
            }
            request.markPrivate();
            if (token != null && tokens.verify(id, token, clock.instant())) {
                if (request.type().isPlaylist()) {
                    request.transform(playlist -> PlaylistRewriter.addToken(playlist, token));
                }
                next.handleRequest(ex);
            } else if (isAdmin(ex)) {
                next.handleRequest(ex);
            } else {
                log.debug("video {}: refused {} ({})", id, request.storageKey(), token == null ? "no token" : "bad token");
                Errors.send(ex, 403, "forbidden", token == null
                        ? "this video is private; play it with a playback token"
                        : "this playback token is not valid for this video (expired or wrong)");
            }
        });
    }

    private boolean isAdmin(HttpServerExchange exchange) {
        if (adminToken.isEmpty()) {
            return false;
        }
        String auth = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (auth == null || auth.length() < 8 || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = auth.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(adminToken.get(), given);
    }
}
