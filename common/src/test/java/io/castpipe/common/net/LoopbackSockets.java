package io.castpipe.common.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Sockets to a server on 127.0.0.1 from a loopback address of the test's choosing. All of 127/8
 * is this machine's loopback on Linux, so a hostile client can come from 127.0.0.2 and meet the
 * per-address limits while the well-behaved clients on 127.0.0.1 do not.
 */
public final class LoopbackSockets {
    private LoopbackSockets() {
    }

    /** An unconnected socket bound to {@code localAddress} (for a factory that connects it). */
    public static Socket boundTo(String localAddress) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        return s;
    }

    /** A socket from {@code localAddress} connected to 127.0.0.1:{@code port}. */
    public static Socket connect(String localAddress, int port) throws IOException {
        Socket s = boundTo(localAddress);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        return s;
    }
}
