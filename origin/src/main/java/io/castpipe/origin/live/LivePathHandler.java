package io.castpipe.origin.live;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.http.ClientAddress;
import io.castpipe.common.net.TrustedProxies;
import io.castpipe.origin.http.Errors;
import io.castpipe.origin.http.MediaType;
import io.castpipe.origin.http.OriginRequest;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * {@code /live/{channel}/master.m3u8} and {@code /live/{channel}/{rendition}/{file}}: checks the
 * path strictly, finds the channel's current stream and starts the request for its storage key,
 * on behalf of the stream's recording (the video with the stream's id), whose access decides who
 * gets it. While the stream is live, its live window — the master and media playlists, init
 * sections, and the segments the playlist still lists (or is yet to), with their parts — is public
 * like the channel; the recording's own pieces (history playlists, {@code vod.m3u8}, segments and
 * parts of segments that left the window) and, once the stream has ended, everything of it follow
 * the recording's visibility.
 * Playlists change every segment, so they may be cached for a second; segments and init
 * sections never change under one name. Requests of media playlists and segments are what the
 * {@link ViewerCounter} counts.
 */
public final class LivePathHandler implements HttpHandler {
    private static final Pattern PATH = Pattern.compile(
            "/live/([a-z0-9][a-z0-9_-]{2,31})/(?:([A-Za-z0-9][A-Za-z0-9_-]{0,31})/)?([A-Za-z0-9][A-Za-z0-9_-]{0,63}(?:\\.[0-9]{1,9})?\\.(?:m3u8|m4s|mp4))");
    /** The live window's own files, besides its media: the playlist and init sections. */
    private static final Pattern WINDOW_FILE = Pattern.compile("index\\.m3u8|init(?:-\\d{1,9})?\\.mp4");
    /** A segment (its sequence number in group 1) or a part of one (the segment's number in group 2). */
    private static final Pattern SEGMENT_OR_PART = Pattern.compile("(?:seg-(\\d{1,18})|part-(\\d{1,18})\\.\\d{1,9})\\.m4s");
    static final long PLAYLIST_MAX_AGE = 1;
    static final long IMMUTABLE_MAX_AGE = 31_536_000;

    private final LiveChannels channels;
    private final LiveWindows windows;
    private final ViewerCounter viewers;
    private final TrustedProxies proxies;
    private final HttpHandler next;

    public LivePathHandler(LiveChannels channels, LiveWindows windows, ViewerCounter viewers, TrustedProxies proxies,
                           HttpHandler next) {
        this.channels = channels;
        this.windows = windows;
        this.viewers = viewers;
        this.proxies = proxies;
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
        Optional<LiveChannels.Current> current = channels.current(channel);
        if (current.isEmpty()) {
            Errors.notFound(exchange, "channel " + channel + " has not been live");
            return;
        }
        String stream = current.get().streamId();
        String rendition = m.group(2);
        String file = m.group(3);
        String key = rendition == null ? ObjectKeys.livePrefix(stream) + file : ObjectKeys.liveFile(stream, rendition, file);
        MediaType type = MediaType.ofFile(file).orElseThrow();
        boolean playlist = type.isPlaylist();
        if (rendition != null && !file.endsWith(".mp4")) {
            viewers.seen(stream, ClientAddress.of(exchange, proxies).getHostAddress(),
                    exchange.getRequestHeaders().getFirst(Headers.USER_AGENT));
        }
        OriginRequest request = new OriginRequest(key, stream, type, playlist ? PLAYLIST_MAX_AGE : IMMUTABLE_MAX_AGE, !playlist)
                .attachTo(exchange);
        if (current.get().live() && inLiveWindow(stream, rendition, file)) {
            request.markLiveWindow();
        }
        next.handleRequest(exchange);
    }

    private boolean inLiveWindow(String stream, String rendition, String file) {
        if (rendition == null) {
            return file.equals("master.m3u8");
        }
        if (WINDOW_FILE.matcher(file).matches()) {
            return true;
        }
        Matcher media = SEGMENT_OR_PART.matcher(file);
        if (!media.matches()) {
            return false;
        }
        String sequence = media.group(1) != null ? media.group(1) : media.group(2);
        return windows.inWindow(ObjectKeys.liveFile(stream, rendition, "index.m3u8"), Long.parseLong(sequence));
    }
}
