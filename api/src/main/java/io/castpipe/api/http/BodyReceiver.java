package io.castpipe.api.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.castpipe.common.net.TrustedProxies;
import io.castpipe.common.node.DaemonThreads;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioExecutor;
import org.xnio.channels.StreamSourceChannel;

/**
 * Receives request bodies without holding a thread while the client sends: the request channel
 * is read on the IO thread as bytes arrive, into one chunk per request, allocated when the first
 * byte comes; each full chunk (and the last) goes to a small pool of writer threads, and reading
 * stops until it is written, so a request holds at most one chunk in memory and a slow disk or
 * storage slows its client down.
 *
 * <p>Bodies are admitted before their request is handled ({@link BodyAdmissions}: so many per
 * client address and on the node). A body that brings no byte for the body timeout, or that,
 * once that long has passed, has averaged less than {@link #MIN_BYTES_PER_SECOND} since, is
 * answered 408 and its connection closed. Time spent waiting on a writer is the server's and
 * counts for neither.
 */
public final class BodyReceiver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BodyReceiver.class);
    /** The average a body must keep up once the body timeout has passed: 8 kbit/s, below any working uplink. */
    static final int MIN_BYTES_PER_SECOND = 1024;
    private static final double NANOS_PER_ALLOWED_BYTE = 1e9 / MIN_BYTES_PER_SECOND;
    /** Writer threads: enough to keep disk and storage busy; each request has at most one chunk with them. */
    private static final int WRITERS = 8;

    private final long timeoutNanos;
    private final BodyAdmissions admissions;
    private final AtomicLong bufferedBytes = new AtomicLong();
    private final ExecutorService writers = Executors.newFixedThreadPool(WRITERS, DaemonThreads.numbered("api-body-"));

    public BodyReceiver(Duration timeout, TrustedProxies proxies) {
        this.timeoutNanos = timeout.toNanos();
        this.admissions = new BodyAdmissions(proxies);
    }

    /** A place for the body of {@code exchange} among those arriving, or the refusal (see {@link BodyAdmissions}). */
    BodyAdmissions.Admission admit(HttpServerExchange exchange) {
        return admissions.admit(exchange);
    }

    /**
     * Starts receiving the body of {@code exchange} into {@code sink}, {@code chunkBytes} at a
     * time, and returns at once; {@code admission} (null for a request without a body) is given
     * back when the body ends. Call it last in an endpoint, from the thread running it.
     */
    void receive(HttpServerExchange exchange, BodyAdmissions.Admission admission, int chunkBytes, BodySink sink) {
        Transfer transfer = new Transfer(exchange, admission, chunkBytes, sink);
        if (admission != null) {
            admission.receiving();
        }
        transfer.start();
    }

    /** Bodies admitted and not yet ended. */
    public int receiving() {
        return admissions.admitted();
    }

    /** Bytes of the chunks the bodies arriving hold now. */
    public long bufferedBytes() {
        return bufferedBytes.get();
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
        private final BodyAdmissions.Admission admission;
        private final int chunkBytes;
        private final BodySink sink;
        private final AtomicReference<State> state = new AtomicReference<>(State.RECEIVING);
        /** The first byte is read here: a body gets its chunk only once it brings something. */
        private final ByteBuffer firstByte = ByteBuffer.allocate(1);
        private final AtomicBoolean ended = new AtomicBoolean();
        private final long startedAt = System.nanoTime();
        private ByteBuffer chunk;
        private volatile long received;
        private volatile long lastByteAt;
        private volatile long handedOverAt;
        private volatile long writerNanos;
        private volatile XnioExecutor.Key timer;

        Transfer(HttpServerExchange exchange, BodyAdmissions.Admission admission, int chunkBytes, BodySink sink) {
            this.exchange = exchange;
            this.channel = exchange.getRequestChannel();
            if (channel == null) {
                throw new IllegalStateException("the request body was already taken");
            }
            this.admission = admission;
            this.chunkBytes = chunkBytes;
            this.sink = sink;
        }

        /** The first read happens on the IO thread once the endpoint has returned. */
        void start() {
            lastByteAt = startedAt;
            arm(timeoutNanos);
            channel.getReadSetter().set(c -> readAvailable());
            channel.wakeupReads();
        }

        /** On the IO thread: reads what has arrived, waits for more. */
        private void readAvailable() {
            if (state.get() != State.RECEIVING) {
                return;
            }
            try {
                while (true) {
                    int n = chunk == null ? readFirstByte() : channel.read(chunk);
                    if (n < 0) {
                        handOver(true);
                        return;
                    }
                    if (n == 0) {
                        channel.resumeReads();
                        return;
                    }
                    received += n;
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

        private int readFirstByte() throws IOException {
            int n = channel.read(firstByte);
            if (n > 0) {
                chunk = ByteBuffer.allocate(chunkBytes);
                bufferedBytes.addAndGet(chunkBytes);
                chunk.put(firstByte.flip());
            }
            return n;
        }

        /** Reading stops until the writer has the chunk written. */
        private void handOver(boolean last) {
            handedOverAt = System.nanoTime();
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
                end();
                EndpointHandler.guarded(exchange, sink::complete);
                return;
            }
            long now = System.nanoTime();
            writerNanos += now - handedOverAt;
            lastByteAt = now;
            state.set(State.RECEIVING);
            channel.wakeupReads();
        }

        /**
         * On the IO thread: a body is given up when it has brought nothing for the timeout, or when
         * what it brought, at {@link #MIN_BYTES_PER_SECOND}, pays for less than the time it has been
         * waited for beyond the timeout. Waiting on a writer does not count.
         */
        private void checkStalled() {
            State now = state.get();
            if (now == State.DONE) {
                return;
            }
            if (now == State.WRITING) {
                arm(timeoutNanos);
                return;
            }
            long t = System.nanoTime();
            long idleLeft = lastByteAt + timeoutNanos - t;
            long waitedFor = t - startedAt - writerNanos;
            long slowLeft = timeoutNanos + (long) Math.min(received * NANOS_PER_ALLOWED_BYTE, 1e18) - waitedFor;
            if (idleLeft > 0 && slowLeft > 0) {
                arm(Math.min(idleLeft, slowLeft));
                return;
            }
            if (!state.compareAndSet(State.RECEIVING, State.DONE)) {
                arm(timeoutNanos);
                return;
            }
            channel.suspendReads();
            long seconds = TimeUnit.NANOSECONDS.toSeconds(timeoutNanos);
            String why = idleLeft <= 0 ? "no byte of the request body arrived for " + seconds + " s"
                    : "the request body arrived slower than " + MIN_BYTES_PER_SECOND + " bytes a second after its first "
                    + seconds + " s";
            exchange.dispatch(writers, () -> keepWhatArrived(new ApiException(408, "body_timeout", why + "; send it again")));
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
            if (chunk != null && chunk.position() > 0) {
                sink.write(chunk.array(), 0, chunk.position());
                chunk.clear();
            }
        }

        /** On a writer thread: the sink lets go, then the client gets {@code answer} (none when it went away) and the connection closes. */
        private void stopShort(Throwable answer) {
            end();
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

        /** No more bytes will be read: the chunk and the body's place go. */
        private void end() {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            disarm();
            if (chunk != null) {
                bufferedBytes.addAndGet(-chunkBytes);
                chunk = null;
            }
            if (admission != null) {
                admission.release();
            }
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
