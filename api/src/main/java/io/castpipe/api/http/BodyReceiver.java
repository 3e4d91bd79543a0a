package io.castpipe.api.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.castpipe.common.node.DaemonThreads;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioExecutor;
import org.xnio.channels.StreamSourceChannel;

/**
 * Receives request bodies without holding a thread while the client sends: the request channel
 * is read on the IO thread as bytes arrive, into one chunk per request; each full chunk (and the
 * last) goes to a small pool of writer threads, and reading stops until it is written, so a
 * request holds at most one chunk in memory and a slow disk or storage slows its client down.
 * A body that brings no byte for the body timeout is answered 408 and its connection closed.
 */
public final class BodyReceiver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BodyReceiver.class);
    /** Writer threads: enough to keep disk and storage busy; each request has at most one chunk with them. */
    private static final int WRITERS = 8;

    private final long timeoutNanos;
    private final ExecutorService writers = Executors.newFixedThreadPool(WRITERS, DaemonThreads.numbered("api-body-"));

    public BodyReceiver(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    /**
     * Starts receiving the body of {@code exchange} into {@code sink}, {@code chunkBytes} at a
     * time, and returns at once. Call it last in an endpoint, from the thread running it.
     */
    public void receive(HttpServerExchange exchange, int chunkBytes, BodySink sink) {
        new Transfer(exchange, chunkBytes, sink).start();
    }

    @Override
    public void close() {
        writers.shutdownNow();
    }

    private enum State { RECEIVING, WRITING, DONE }

    /** One request body on its way in. */
    private final class Transfer {
        private final HttpServerExchange exchange;
        private final StreamSourceChannel channel;
        private final ByteBuffer chunk;
        private final BodySink sink;
        private final AtomicReference<State> state = new AtomicReference<>(State.RECEIVING);
        private volatile long lastByteAt;
        private volatile XnioExecutor.Key timer;

        Transfer(HttpServerExchange exchange, int chunkBytes, BodySink sink) {
            this.exchange = exchange;
            this.channel = exchange.getRequestChannel();
            if (channel == null) {
                throw new IllegalStateException("the request body was already taken");
            }
            this.chunk = ByteBuffer.allocate(chunkBytes);
            this.sink = sink;
        }

        void start() {
            lastByteAt = System.nanoTime();
            arm(timeoutNanos);
            channel.getReadSetter().set(c -> readAvailable());
            readAvailable();
        }

        /** On the IO thread (or, the first time, the endpoint's): reads what has arrived, waits for more. */
        private void readAvailable() {
            if (state.get() != State.RECEIVING) {
                return;
            }
            try {
                while (true) {
                    int n = channel.read(chunk);
                    if (n < 0) {
                        handOver(true);
                        return;
                    }
                    if (n == 0) {
                        channel.resumeReads();
                        return;
                    }
                    lastByteAt = System.nanoTime();
                    if (!chunk.hasRemaining()) {
                        handOver(false);
                        return;
                    }
                }
            } catch (IOException e) {
                if (state.compareAndSet(State.RECEIVING, State.DONE)) {
                    log.debug("{} {}: the client went away mid-body: {}", exchange.getRequestMethod(),
                            exchange.getRequestPath(), e.toString());
                    channel.suspendReads();
                    exchange.dispatch(writers, () -> keepWhatArrived(null));
                }
            }
        }

        /** Reading stops until the writer has the chunk written. */
        private void handOver(boolean last) {
            state.set(State.WRITING);
            channel.suspendReads();
            exchange.dispatch(writers, () -> write(last));
        }

        /** On a writer thread. */
        private void write(boolean last) {
            try {
                flushChunk();
            } catch (Exception | Error e) {
                state.set(State.DONE);
                stopShort(e);
                return;
            }
            if (last) {
                state.set(State.DONE);
                disarm();
                EndpointHandler.guarded(exchange, sink::complete);
                return;
            }
            lastByteAt = System.nanoTime();
            state.set(State.RECEIVING);
            channel.wakeupReads();
        }

        /** On the IO thread: a body that brought nothing for the timeout is given up; waiting on a writer does not count. */
        private void checkStalled() {
            State now = state.get();
            if (now == State.DONE) {
                return;
            }
            long idle = System.nanoTime() - lastByteAt;
            if (now == State.WRITING || idle < timeoutNanos) {
                arm(now == State.WRITING ? timeoutNanos : timeoutNanos - idle);
                return;
            }
            if (!state.compareAndSet(State.RECEIVING, State.DONE)) {
                arm(timeoutNanos);
                return;
            }
            channel.suspendReads();
            exchange.dispatch(writers, () -> keepWhatArrived(new ApiException(408, "body_timeout",
                    "no byte of the request body arrived for " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos)
                            + " s; send it again")));
        }

        /** On a writer thread: what arrived of a body that stopped short is written before the sink lets go. */
        private void keepWhatArrived(ApiException answer) {
            try {
                flushChunk();
            } catch (Exception | Error e) {
                stopShort(e);
                return;
            }
            stopShort(answer);
        }

        private void flushChunk() throws Exception {
            if (chunk.position() > 0) {
                sink.write(chunk.array(), 0, chunk.position());
                chunk.clear();
            }
        }

        /** On a writer thread: the sink lets go, then the client gets {@code answer} (none when it went away) and the connection closes. */
        private void stopShort(Throwable answer) {
            disarm();
            try {
                sink.stoppedShort();
            } catch (Exception | Error e) {
                log.warn("{} {}: releasing a body that stopped short failed: {}", exchange.getRequestMethod(),
                        exchange.getRequestPath(), e.toString());
            }
            exchange.setPersistent(false);
            if (answer == null) {
                exchange.endExchange();
                return;
            }
            exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
            EndpointHandler.answerFailure(exchange, answer);
        }

        private void arm(long delayNanos) {
            timer = exchange.getIoThread().executeAfter(this::checkStalled, delayNanos, TimeUnit.NANOSECONDS);
        }

        private void disarm() {
            XnioExecutor.Key t = timer;
            if (t != null) {
                t.remove();
            }
        }
    }
}
