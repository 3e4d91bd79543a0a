package io.castpipe.bench.abuse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hostile clients on raw sockets, each kind from a local address of the caller's choosing (all of
 * 127/8 is loopback on Linux, so per-address limits meet the attacker, not the real users on
 * 127.0.0.1). Every method opens its connections, sends what that kind of client sends, and
 * leaves them to one {@link ClosureWatcher} that notes the server's answers and closes.
 */
public final class Attacks implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MILLIS = 3000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 \\d{3} [^\\r]*");

    private final ClosureWatcher watcher;
    private final List<Tally> tallies = new ArrayList<>();

    public Attacks() throws IOException {
        this.watcher = new ClosureWatcher();
    }

    public List<Tally> tallies() {
        return List.copyOf(tallies);
    }

    /**
     * RTMP clients that never send {@code connect}: a handshake, then a chunk size of 64 KiB and
     * the first 64 KiB of a declared 8 MiB video message on each of {@code streams} chunk streams,
     * the reassembly that once took a node down.
     */
    public Tally rtmpMemory(InetAddress from, InetSocketAddress rtmp, int connections, int streams) {
        Tally t = tally("rtmp: 8 MiB messages, no connect");
        for (int i = 0; i < connections; i++) {
            open(from, rtmp, t, (channel, in, out) -> {
                handshake(in, out);
                out.write(setChunkSize(65536));
                byte[] payload = new byte[65536];
                for (int cs = 3; cs < 3 + streams; cs++) {
                    out.write(messageHeader(cs, 8 * 1024 * 1024, 9));
                    out.write(payload);
                }
                out.flush();
            });
        }
        return t;
    }

    /** RTMP clients that shake hands and then never publish. */
    public Tally rtmpIdle(String name, InetAddress from, InetSocketAddress rtmp, int connections) {
        Tally t = tally(name);
        for (int i = 0; i < connections; i++) {
            open(from, rtmp, t, (channel, in, out) -> handshake(in, out));
        }
        return t;
    }

    /** HTTP clients that send half a request and then wait (slowloris). */
    public Tally slowloris(InetAddress from, InetSocketAddress http, int connections) {
        Tally t = tally("http: half a request");
        for (int i = 0; i < connections; i++) {
            open(from, http, t, (channel, in, out) -> {
                out.write("GET /api/live HTTP/1.1\r\nHost: castpipe\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            });
        }
        return t;
    }

    /**
     * Uploads that announce 10 MB and send one byte: a single-request {@code PUT …/source} to each
     * of the given videos, and a tus {@code PATCH} to each of the given upload paths.
     */
    public Tally slowUploads(InetAddress from, InetSocketAddress http, String token, List<String> videoIds,
                             List<String> tusPaths) {
        Tally t = tally("http: upload body stalls");
        String auth = "Host: castpipe\r\nAuthorization: Bearer " + token + "\r\n";
        for (String id : videoIds) {
            open(from, http, t, (channel, in, out) -> {
                out.write(("PUT /api/videos/" + id + "/source HTTP/1.1\r\n" + auth
                        + "Content-Type: video/mp4\r\nContent-Length: 10000000\r\n\r\nx").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            });
        }
        for (String path : tusPaths) {
            open(from, http, t, (channel, in, out) -> {
                out.write(("PATCH " + path + " HTTP/1.1\r\n" + auth + "Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
                        + "Content-Type: application/offset+octet-stream\r\nContent-Length: 10000000\r\n\r\nx")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            });
        }
        return t;
    }

    /** HTTP requests sent at once, each on a connection of its own: e.g. blocking playlist reloads or an API burst. */
    public Tally requests(String name, InetAddress from, InetSocketAddress http, String pathAndQuery, int count) {
        Tally t = tally(name);
        for (int i = 0; i < count; i++) {
            open(from, http, t, (channel, in, out) -> {
                out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: castpipe\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            });
        }
        return t;
    }

    /**
     * Requests sent back to back on a few kept-alive connections (pipelined), every answer's status
     * counted: a client asking as fast as its connections allow, as a scraper or a script does.
     */
    public Tally pipelined(String name, InetAddress from, InetSocketAddress http, String pathAndQuery, int connections,
                           int perConnection) {
        Tally t = tally(name);
        byte[] request = ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: castpipe\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] last = ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: castpipe\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        for (int c = 0; c < connections; c++) {
            try (Socket socket = new Socket()) {
                socket.bind(new InetSocketAddress(from, 0));
                socket.connect(http, CONNECT_TIMEOUT_MILLIS);
                socket.setSoTimeout(30_000);
                long opened = System.nanoTime();
                t.countOpened();
                OutputStream out = socket.getOutputStream();
                for (int i = 1; i < perConnection; i++) {
                    out.write(request);
                }
                out.write(last);
                out.flush();
                Matcher status = STATUS_LINE.matcher(new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1));
                while (status.find()) {
                    t.countAnswer(status.group());
                }
                t.countClosed((System.nanoTime() - opened) / 1_000_000);
            } catch (IOException e) {
                t.countFailedToConnect();
            }
        }
        return t;
    }

    /** WebSocket clients that join a chat room and stay. */
    public Tally chatSockets(InetAddress from, InetSocketAddress chat, String channel, int connections) {
        Tally t = tally("chat: joins from one address");
        for (int i = 0; i < connections; i++) {
            open(from, chat, t, (ch, in, out) -> {
                byte[] nonce = new byte[16];
                RANDOM.nextBytes(nonce);
                out.write(("GET /chat/" + channel + " HTTP/1.1\r\nHost: castpipe\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            });
        }
        return t;
    }

    private interface Opening {
        void send(SocketChannel channel, InputStream in, OutputStream out) throws IOException;
    }

    private void open(InetAddress from, InetSocketAddress to, Tally t, Opening opening) {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.bind(new InetSocketAddress(from, 0));
            channel.socket().connect(to, CONNECT_TIMEOUT_MILLIS);
            channel.socket().setSoTimeout(CONNECT_TIMEOUT_MILLIS);
        } catch (IOException e) {
            t.countFailedToConnect();
            closeQuietly(channel);
            return;
        }
        long opened = System.nanoTime();
        t.countOpened();
        try {
            opening.send(channel, channel.socket().getInputStream(), channel.socket().getOutputStream());
        } catch (IOException e) {
            // The server cut it off while it was sending: the watcher sees the close at once.
        }
        watcher.watch(channel, t, opened);
    }

    private Tally tally(String name) {
        Tally t = new Tally(name);
        tallies.add(t);
        return t;
    }

    /** C0+C1 out, S0+S1+S2 in, C2 (S1 echoed) out. */
    private static void handshake(InputStream in, OutputStream out) throws IOException {
        byte[] c1 = new byte[1536];
        RANDOM.nextBytes(c1);
        out.write(3);
        out.write(c1);
        out.flush();
        byte[] s = in.readNBytes(1 + 1536 + 1536);
        if (s.length < 1 + 1536) {
            throw new IOException("closed during the handshake");
        }
        out.write(s, 1, 1536);
        out.flush();
    }

    private static byte[] setChunkSize(int size) {
        ByteBuffer b = ByteBuffer.allocate(12 + 4);
        b.put((byte) 0x02).put(new byte[3]).put(u24(4)).put((byte) 1).putInt(0);
        b.putInt(size);
        return b.array();
    }

    /** A format-0 chunk header on chunk stream {@code cs} (2–63) for a message of {@code length} bytes. */
    private static byte[] messageHeader(int cs, int length, int type) {
        ByteBuffer b = ByteBuffer.allocate(12);
        b.put((byte) cs).put(new byte[3]).put(u24(length)).put((byte) type);
        b.put(new byte[] {1, 0, 0, 0});
        return b.array();
    }

    private static byte[] u24(int v) {
        return new byte[] {(byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    @Override
    public void close() throws IOException {
        watcher.close();
    }
}
