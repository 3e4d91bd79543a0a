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

/**
 * {@code /live/{channel}/master.m3u8} and {@code /live/{channel}/{rendition}/{file}}: checks the
 * path strictly, finds the channel's current stream and starts the request for its storage key.
 * Playlists change every segment, so they may be cached for a second; segments and init
 * sections never change under one name.
 */
public final class LivePathHandler implements HttpHandler {
    private static final Pattern PATH = Pattern.compile(
            "/live/([a-z0-9][a-z0-9_-]{2,31})/(?:([A-Za-z0-9][A-Za-z0-9_-]{0,31})/)?([A-Za-z0-9][A-Za-z0-9_-]{0,63}\\.(?:m3u8|m4s|mp4))");
    static final long PLAYLIST_MAX_AGE = 1;
    static final long IMMUTABLE_MAX_AGE = 31_536_000;

    private final LiveChannels channels;
    private final HttpHandler next;

    public LivePathHandler(LiveChannels channels, HttpHandler next) {
        this.channels = channels;
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
        new OriginRequest(key, stream.get(), type, playlist ? PLAYLIST_MAX_AGE : IMMUTABLE_MAX_AGE, !playlist)
                .attachTo(exchange);
        next.handleRequest(exchange);
    }
}
