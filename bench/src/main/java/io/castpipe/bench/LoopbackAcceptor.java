package io.castpipe.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.ObjIntConsumer;

/**
 * A listening socket on a free loopback port whose thread hands each connection it accepts, with
 * its number (0, 1, …), to {@code adopt}: the front of the bare servers a benchmark measures
 * Castpipe against.
 */
public final class LoopbackAcceptor implements AutoCloseable {
    private final ServerSocketChannel server;

    private LoopbackAcceptor(ServerSocketChannel server) {
        this.server = server;
    }

    public static LoopbackAcceptor start(String name, int backlog, ObjIntConsumer<SocketChannel> adopt) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", 0), backlog);
        Thread acceptor = new Thread(() -> {
            for (int i = 0; ; i++) {
                SocketChannel channel;
                try {
                    channel = server.accept();
                } catch (IOException e) {
                    if (server.isOpen()) {
                        System.err.println(name + ": stopped accepting connections after " + i + ": " + e);
                    }
                    return;
                }
                adopt.accept(channel, i);
            }
        }, name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return new LoopbackAcceptor(server);
    }

    public int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
