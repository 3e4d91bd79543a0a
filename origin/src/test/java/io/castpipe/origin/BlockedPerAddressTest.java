package io.castpipe.origin;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.castpipe.common.events.HlsUpdate;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.Ids;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.net.LoopbackSockets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each client address may have only its share of the LL-HLS requests waiting on an origin
 * ({@code CASTPIPE_ORIGIN_BLOCKED_PER_ADDRESS}); more get 429. The client is the peer, or the
 * address a trusted proxy forwards for.
 */
class BlockedPerAddressTest {
    private static final int SHARE = 5;
    private static final String PROXY = "127.0.0.3";
    private static OriginFixture origin;
    private static EventPublisher kafka;

    @BeforeAll
    static void start() throws Exception {
        origin = OriginFixture.start("blocked-per-address", OriginFixture.env("CASTPIPE_ORIGIN_BLOCKED_PER_ADDRESS",
                String.valueOf(SHARE), "CASTPIPE_TRUSTED_PROXIES", PROXY), null);
        kafka = OriginFixture.publisher();
    }

    @AfterAll
    static void stop() {
        kafka.close();
        origin.close();
    }

    @Test
    void anAddressPastItsShareOfWaitingRequestsGets429AndTheOthersStillWait() throws Exception {
        String stream = Ids.newId();
        String channel = "olga-live";
        String path = "/live/" + channel + "/360p/index.m3u8";
        origin.accessRecord(stream, "public");
        kafka.publishDurably(Topic.STREAM_EVENTS, stream, StreamEvent.started(stream, Ids.newId(), channel, "avc1", null, Map.of()));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            announce(stream, 5);
            return new String(origin.get(path).body(), StandardCharsets.UTF_8).contains("seg-4.m4s");
        });

        List<Pending> greedy = new ArrayList<>();
        List<Pending> behindProxy = new ArrayList<>();
        for (int i = 0; i <= SHARE; i++) {
            greedy.add(Pending.send("127.0.0.2", path + "?_HLS_msn=5", null));
            behindProxy.add(Pending.send(PROXY, path + "?_HLS_msn=5", "198.51.100.7"));
        }
        // Its neighbours are not held back: another address, and another client behind the proxy.
        Pending neighbour = Pending.send("127.0.0.4", path + "?_HLS_msn=5", null);
        Pending otherBehindProxy = Pending.send(PROXY, path + "?_HLS_msn=5", "198.51.100.8");
        List<Pending> refused = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            refused.clear();
            for (Pending p : concat(greedy, behindProxy, List.of(neighbour, otherBehindProxy))) {
                if (p.answered()) {
                    refused.add(p);
                }
            }
            return refused.size() == 2;
        });
        assertThat(refused).as("one past the share of each client").filteredOn(greedy::contains).hasSize(1);
        assertThat(refused).filteredOn(behindProxy::contains).hasSize(1);
        for (Pending p : refused) {
            assertThat(p.response()).startsWith("HTTP/1.1 429").containsIgnoringCase("Retry-After: 1")
                    .containsIgnoringCase("Cache-Control: no-store").contains("\"code\":\"too_many_waiting\"");
        }

        announce(stream, 6);
        for (Pending p : concat(greedy, behindProxy, List.of(neighbour, otherBehindProxy))) {
            if (!refused.contains(p)) {
                assertThat(p.response()).startsWith("HTTP/1.1 200").contains("seg-5.m4s");
            }
        }
        // Answered, their share is free again.
        Pending again = Pending.send("127.0.0.2", path + "?_HLS_msn=6", null);
        announce(stream, 7);
        assertThat(again.response()).startsWith("HTTP/1.1 200").contains("seg-6.m4s");
    }

    @SafeVarargs
    private static List<Pending> concat(List<Pending>... lists) {
        List<Pending> all = new ArrayList<>();
        for (List<Pending> l : lists) {
            all.addAll(l);
        }
        return all;
    }

    /** Announces the playlist of segments 0 to {@code count - 1}, four seconds each: a blocked reload waits up to 12 s. */
    private static void announce(String stream, int count) throws Exception {
        StringBuilder b = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:4\n")
                .append("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-MAP:URI=\"init.mp4\"\n");
        for (int n = 0; n < count; n++) {
            b.append("#EXTINF:4.000,\nseg-").append(n).append(".m4s\n");
        }
        byte[] text = b.toString().getBytes(StandardCharsets.UTF_8);
        String key = ObjectKeys.liveFile(stream, "360p", "index.m3u8");
        origin.store.put(key, text, "application/vnd.apple.mpegurl");
        kafka.publishDurably(Topic.HLS_UPDATES, stream, new HlsUpdate(stream, "360p", HlsUpdate.Kind.PLAYLIST, count - 1, null,
                key, text, Instant.now()));
    }

    /** One request on a connection of its own from {@code from}, its response read when asked for. */
    private static final class Pending {
        private final Socket socket;

        private Pending(Socket socket) {
            this.socket = socket;
        }

        static Pending send(String from, String target, String forwardedFor) throws IOException {
            Socket socket = LoopbackSockets.connect(from, origin.port);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + (forwardedFor == null ? "" : "X-Forwarded-For: " + forwardedFor + "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new Pending(socket);
        }

        boolean answered() throws IOException {
            return socket.getInputStream().available() > 0;
        }

        String response() throws IOException {
            try (socket) {
                return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            }
        }
    }
}
