package io.castpipe.bench.abuse;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every kind of hostile client at once against one node, each from its own loopback addresses:
 * RTMP connections that reassemble large messages without publishing, RTMP connections that
 * never publish and more than one address may hold, half-sent HTTP requests, stalled upload
 * bodies, a crowd of chat sockets and of blocking playlist reloads from one address, and a burst
 * of API reads. The test suite and the abuse benchmark both run this.
 */
public final class AbuseRun {
    private static final Pattern MEDIA_SEQUENCE = Pattern.compile("#EXT-X-MEDIA-SEQUENCE:(\\d+)");
    private static final Pattern SEGMENT_LINE = Pattern.compile("(?m)^#EXTINF:");

    /** Where the node listens, what a user may touch, and a live rendition's media playlist path. */
    public record Target(String host, int httpPort, int rtmpPort, int chatPort, String userToken, String channel,
                         List<String> uploadVideoIds, String livePlaylistPath) {
    }

    /** How many of each kind; {@link #standard()} are the counts the suite and the benchmark use. */
    public record Sizes(int rtmpMemory, int rtmpIdle, int rtmpOneAddress, int slowlorisPerAddress, int chatOneAddress,
                        int blockedReloadsOneAddress, int apiBurst) {
        public static Sizes standard() {
            return new Sizes(40, 20, 30, 300, 150, 600, 1300);
        }

        public int held() {
            return rtmpMemory + rtmpIdle + rtmpOneAddress + 2 * slowlorisPerAddress + chatOneAddress;
        }
    }

    private AbuseRun() {
    }

    public static Attacks launch(Target t, Sizes s) throws Exception {
        Attacks attacks = new Attacks();
        InetSocketAddress http = new InetSocketAddress(t.host(), t.httpPort());
        InetSocketAddress rtmp = new InetSocketAddress(t.host(), t.rtmpPort());
        InetSocketAddress chat = new InetSocketAddress(t.host(), t.chatPort());
        // Ingest lets one address hold 10 connections: the memory attack comes from enough addresses to open them all.
        int perAddress = 10;
        for (int i = 0; i * perAddress < s.rtmpMemory(); i++) {
            attacks.rtmpMemory(local(10 + i), rtmp, Math.min(perAddress, s.rtmpMemory() - i * perAddress), 32);
        }
        attacks.rtmpIdle(local(30), rtmp, Math.min(perAddress, s.rtmpIdle()));
        if (s.rtmpIdle() > perAddress) {
            attacks.rtmpIdle(local(31), rtmp, s.rtmpIdle() - perAddress);
        }
        attacks.rtmpIdle(local(32), rtmp, s.rtmpOneAddress());
        attacks.slowloris(local(40), http, s.slowlorisPerAddress());
        attacks.slowloris(local(41), http, s.slowlorisPerAddress());
        attacks.slowUploads(local(42), http, t.userToken(), t.uploadVideoIds());
        attacks.chatSockets(local(50), chat, t.channel(), s.chatOneAddress());
        attacks.requests("http: blocking reloads, one address", local(60), http,
                t.livePlaylistPath() + "?_HLS_msn=" + (nextSegment(t) + 1), s.blockedReloadsOneAddress());
        attacks.requests("http: API burst, one address", local(70), http, "/api/live", s.apiBurst());
        return attacks;
    }

    /** 127.0.0.N: every address in 127/8 is this machine's loopback. */
    static InetAddress local(int n) throws IOException {
        return InetAddress.getByName("127.0.0." + n);
    }

    /** The media sequence number the live playlist will list next. */
    private static long nextSegment(Target t) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + t.host() + ":" + t.httpPort() + t.livePlaylistPath())).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = MEDIA_SEQUENCE.matcher(r.body());
        if (r.statusCode() != 200 || !m.find()) {
            throw new IllegalStateException("no live playlist at " + t.livePlaylistPath() + ": " + r.statusCode());
        }
        return Long.parseLong(m.group(1)) + SEGMENT_LINE.matcher(r.body()).results().count();
    }
}
