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

    /**
     * Where the node listens, what a user may touch (videos waiting for a source, tus uploads
     * waiting for bytes: {@link #prepareUploads}), and a live rendition's media playlist path.
     */
    public record Target(String host, int httpPort, int rtmpPort, int chatPort, String userToken, String channel,
                         List<String> uploadVideoIds, List<String> tusUploadPaths, String livePlaylistPath) {
    }

    /**
     * How many of each kind; {@link #standard()} are the counts the suite and the benchmark use.
     * The blocking reloads come on connections of their own from one address, so at most the
     * node's connections per address of them reach the origin.
     */
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

    /** The kinds of hostile client, each from loopback addresses of its own. */
    public enum Kind { RTMP_MEMORY, RTMP_IDLE, RTMP_ONE_ADDRESS, SLOWLORIS, SLOW_UPLOADS, CHAT, BLOCKED_RELOADS, API_BURST }

    /** Every kind at once. */
    public static Attacks launch(Target t, Sizes s) throws Exception {
        Attacks attacks = new Attacks();
        for (Kind kind : Kind.values()) {
            launch(attacks, t, s, kind);
        }
        return attacks;
    }

    /** One kind, its connections left open in {@code attacks}. */
    public static void launch(Attacks attacks, Target t, Sizes s, Kind kind) throws Exception {
        InetSocketAddress http = new InetSocketAddress(t.host(), t.httpPort());
        InetSocketAddress rtmp = new InetSocketAddress(t.host(), t.rtmpPort());
        // Ingest lets one address hold 10 connections: kinds meant to be held come from enough addresses.
        int perAddress = 10;
        switch (kind) {
            case RTMP_MEMORY -> {
                for (int i = 0; i * perAddress < s.rtmpMemory(); i++) {
                    attacks.rtmpMemory(local(10 + i), rtmp, Math.min(perAddress, s.rtmpMemory() - i * perAddress), 32);
                }
            }
            case RTMP_IDLE -> {
                for (int i = 0; i * perAddress < s.rtmpIdle(); i++) {
                    attacks.rtmpIdle("rtmp: handshake, no publish", local(30 + i), rtmp, Math.min(perAddress, s.rtmpIdle() - i * perAddress));
                }
            }
            case RTMP_ONE_ADDRESS -> attacks.rtmpIdle("rtmp: one address, no publish", local(39), rtmp, s.rtmpOneAddress());
            case SLOWLORIS -> {
                attacks.slowloris(local(40), http, s.slowlorisPerAddress());
                attacks.slowloris(local(41), http, s.slowlorisPerAddress());
            }
            case SLOW_UPLOADS -> attacks.slowUploads(local(42), http, t.userToken(), t.uploadVideoIds(), t.tusUploadPaths());
            case CHAT -> attacks.chatSockets(local(50), new InetSocketAddress(t.host(), t.chatPort()), t.channel(),
                    s.chatOneAddress());
            case BLOCKED_RELOADS -> attacks.requests("http: blocking reloads, one address", local(60), http,
                    t.livePlaylistPath() + "?_HLS_msn=" + (nextSegment(t) + 1), s.blockedReloadsOneAddress());
            case API_BURST -> attacks.pipelined("http: API burst, one address", local(70), http, "/api/live", 10,
                    s.apiBurst() / 10);
        }
    }

    /** {@code count} videos of the user's waiting for a source, and as many tus uploads waiting for bytes. */
    public static Uploads prepareUploads(String baseUrl, String token, int count) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        List<String> videos = new java.util.ArrayList<>();
        List<String> tus = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> video = client.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/videos"))
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"title\":\"stalled " + i + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
            Matcher id = Pattern.compile("\"id\":\"([0-9a-z]{16})\"").matcher(video.body());
            if (video.statusCode() != 201 || !id.find()) {
                throw new IllegalStateException("POST /api/videos → " + video.statusCode() + " " + video.body());
            }
            videos.add(id.group(1));
            HttpResponse<String> upload = client.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/uploads"))
                    .header("Authorization", "Bearer " + token).header("Tus-Resumable", "1.0.0")
                    .header("Upload-Length", "10000000").POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (upload.statusCode() != 201) {
                throw new IllegalStateException("POST /api/uploads → " + upload.statusCode() + " " + upload.body());
            }
            tus.add(URI.create(upload.headers().firstValue("Location").orElseThrow()).getPath());
        }
        return new Uploads(videos, tus);
    }

    /** What {@link #prepareUploads} made. */
    public record Uploads(List<String> videoIds, List<String> tusPaths) {
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
