package io.castpipe.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.castpipe.common.net.LoopbackSockets;

/** Hand-written HTTP/1.1 on raw sockets from a loopback address of the test's choosing: the hostile clients. */
final class RawHttp {
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length: (\\d+)");

    private RawHttp() {
    }

    /** A socket from {@code address} (127.0.0.N) to the node. */
    static Socket from(String address, ApiTestNode node) throws IOException {
        return LoopbackSockets.connect(address, URI.create(node.baseUrl).getPort());
    }

    static void send(Socket s, String text) throws IOException {
        send(s, text.getBytes(StandardCharsets.US_ASCII));
    }

    static void send(Socket s, byte[]... parts) throws IOException {
        OutputStream out = s.getOutputStream();
        for (byte[] p : parts) {
            out.write(p);
        }
        out.flush();
    }

    /** One answer: its head and a body of its Content-Length, whether or not the connection stays open (at most 20 s). */
    static String readAnswer(Socket s) throws IOException {
        s.setSoTimeout(20_000);
        InputStream in = s.getInputStream();
        StringBuilder text = new StringBuilder();
        while (text.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            if (b < 0) {
                return text.toString();
            }
            text.append((char) b);
        }
        Matcher length = CONTENT_LENGTH.matcher(text);
        if (length.find()) {
            text.append(new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8));
        }
        return text.toString();
    }

    /** What the server sends until it closes the connection (at most 20 s). */
    static String readUntilClosed(Socket s) throws IOException {
        s.setSoTimeout(20_000);
        InputStream in = s.getInputStream();
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            text.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
        }
        return text.toString();
    }
}
