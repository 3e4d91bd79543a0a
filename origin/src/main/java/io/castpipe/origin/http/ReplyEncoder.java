package io.castpipe.origin.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

import io.castpipe.common.storage.ObjectNotFoundException;
import io.castpipe.common.storage.ObjectStore;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

/**
 * The codec: writes a {@link Reply} to the exchange. Bytes in memory go out with a non-blocking
 * send from the IO thread; a streamed object is copied on a worker thread (blocking I/O) in
 * ranged reads of at most {@code chunkBytes}, so a client that leaves mid-way costs at most one
 * chunk of storage traffic. HEAD gets the same status and headers and no body.
 */
public final class ReplyEncoder {
    private static final Logger log = LoggerFactory.getLogger(ReplyEncoder.class);

    private final ObjectStore store;
    private final long chunkBytes;
    private final Consumer<String> onVanished;

    /** @param onVanished told the key of a streamed object that turned out to be gone */
    public ReplyEncoder(ObjectStore store, long chunkBytes, Consumer<String> onVanished) {
        this.store = store;
        this.chunkBytes = chunkBytes;
        this.onVanished = onVanished;
    }

    public void write(HttpServerExchange exchange, Reply reply, boolean head) {
        if (reply.isStreamed() && !head) {
            exchange.dispatch(ex -> stream(ex, reply));
            return;
        }
        writeHead(exchange, reply);
        if (!reply.hasBody()) {
            exchange.endExchange();
            return;
        }
        exchange.setResponseContentLength(reply.contentLength());
        if (head || reply.contentLength() == 0) {
            exchange.endExchange();
            return;
        }
        exchange.getResponseSender().send(ByteBuffer.wrap(reply.body(), reply.offset(), (int) reply.contentLength()));
    }

    private static void writeHead(HttpServerExchange exchange, Reply reply) {
        exchange.setStatusCode(reply.status());
        var out = exchange.getResponseHeaders();
        for (HeaderValues values : reply.headers()) {
            out.putAll(values.getHeaderName(), values);
        }
    }

    /** Runs on a worker thread. Headers are committed only once the first chunk is open. */
    private void stream(HttpServerExchange exchange, Reply reply) {
        String key = reply.streamKey();
        ByteRange.Slice slice = reply.streamSlice();
        long position = slice.first();
        InputStream in;
        try {
            in = store.getRange(key, position, Math.min(slice.last(), position + chunkBytes - 1));
        } catch (ObjectNotFoundException e) {
            onVanished.accept(key);
            Errors.notFound(exchange, "no such object");
            return;
        } catch (RuntimeException e) {
            log.warn("streaming {} failed before the first byte: {}", key, e.getMessage());
            Errors.send(exchange, 502, "storage_error", "object storage failed; try again");
            return;
        }
        writeHead(exchange, reply);
        exchange.setResponseContentLength(slice.length());
        exchange.startBlocking();
        try (OutputStream out = exchange.getOutputStream()) {
            while (true) {
                long expected = Math.min(slice.last(), position + chunkBytes - 1) - position + 1;
                long copied;
                try (InputStream chunk = in) {
                    copied = chunk.transferTo(out);
                }
                if (copied != expected) {
                    throw new IllegalStateException("object changed while streaming: got " + copied + " of " + expected
                            + " bytes at " + position);
                }
                position += copied;
                if (position > slice.last()) {
                    break;
                }
                in = store.getRange(key, position, Math.min(slice.last(), position + chunkBytes - 1));
            }
        } catch (IOException e) {
            // The client went away; nothing to tell anyone.
            IoUtils.safeClose(exchange.getConnection());
        } catch (RuntimeException e) {
            log.warn("streaming {} failed after {} bytes: {}", key, position - slice.first(), e.getMessage());
            onVanished.accept(key);
            IoUtils.safeClose(exchange.getConnection());
        }
    }
}
