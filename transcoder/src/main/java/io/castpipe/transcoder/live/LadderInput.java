package io.castpipe.transcoder.live;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

import io.castpipe.common.events.MediaTag;
import io.castpipe.common.node.DaemonThreads;

/**
 * A live ffmpeg's standard input, written by a thread of its own: the loop that reads every
 * stream of the node from Kafka hands a tag over and goes on, however slow this stream's ffmpeg
 * is. What waits here is bounded ({@link #MAX_QUEUED_BYTES}); how much media time it holds is
 * the stream's {@link #backlog()}, the measure of an ffmpeg that does not keep up.
 */
final class LadderInput implements AutoCloseable {
    /** About three minutes of a 2.5 Mb/s stream: a broker's held-back media fits, a stalled ffmpeg does not. */
    static final long MAX_QUEUED_BYTES = 64L << 20;
    private static final MediaTag END = new MediaTag("", "", MediaTag.Kind.SCRIPT, 0, false, false, new byte[0], 0,
            io.castpipe.common.media.LatencyMode.NORMAL);

    private final String streamId;
    private final OutputStream stdin;
    private final FlvWriter flv;
    private final LinkedBlockingDeque<MediaTag> queue = new LinkedBlockingDeque<>();
    private final Thread feeder;
    private long queuedBytes;
    /** Stream timestamps (ms): of the newest tag handed over, and of the one ffmpeg is being given. */
    private volatile long newestTimestamp = -1;
    private volatile long writingTimestamp = -1;
    private volatile IOException failure;
    private volatile boolean closed;

    LadderInput(String streamId, OutputStream stdin, boolean audio) throws IOException {
        this.streamId = streamId;
        this.stdin = stdin;
        this.flv = new FlvWriter(stdin);
        flv.header(audio, true);
        this.feeder = DaemonThreads.start("live-" + streamId + "-input", this::feed);
    }

    /** Hands a tag over; fails once ffmpeg has stopped taking input or too much waits for it. */
    void write(MediaTag tag) throws IOException {
        check();
        synchronized (this) {
            if (queuedBytes + tag.payload().length > MAX_QUEUED_BYTES) {
                throw new IOException("ffmpeg is " + backlog().toSeconds() + " s of media behind its input");
            }
            queuedBytes += tag.payload().length;
        }
        if (tag.kind() != MediaTag.Kind.SCRIPT) {
            newestTimestamp = tag.timestamp();
        }
        queue.addLast(tag);
    }

    /** Fails if ffmpeg stopped taking input. */
    void check() throws IOException {
        IOException f = failure;
        if (f != null) {
            throw f;
        }
    }

    /** The media time handed over and not yet given to ffmpeg. */
    Duration backlog() {
        long newest = newestTimestamp;
        long writing = writingTimestamp;
        if (queue.isEmpty() || newest < 0 || writing < 0) {
            return Duration.ZERO;
        }
        return Duration.ofMillis(Math.max(0, newest - writing));
    }

    /** The stream timestamp (ms) of the newest media given to ffmpeg; -1 before any. */
    long taken() {
        return writingTimestamp;
    }

    /** Gives ffmpeg what waits, then ends its input. */
    void finish() {
        queue.addLast(END);
    }

    /** Stops feeding at once; returns the tags ffmpeg was never given, in order. */
    List<MediaTag> takeUnwritten() {
        close();
        List<MediaTag> left = new ArrayList<>();
        queue.drainTo(left);
        left.remove(END);
        return left;
    }

    @Override
    public void close() {
        closed = true;
        feeder.interrupt();
        try {
            feeder.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void feed() {
        try {
            while (!closed) {
                MediaTag tag = queue.takeFirst();
                if (tag == END) {
                    stdin.close();
                    return;
                }
                synchronized (this) {
                    queuedBytes -= tag.payload().length;
                }
                if (tag.kind() != MediaTag.Kind.SCRIPT) {
                    writingTimestamp = tag.timestamp();
                }
                flv.tag(flvType(tag), tag.timestamp(), tag.payload());
                if (queue.isEmpty()) {
                    flv.flush();
                }
            }
        } catch (InterruptedException e) {
            // closed
        } catch (IOException e) {
            if (!closed) {
                failure = new IOException("stream " + streamId + ": ffmpeg takes no more input: " + e.getMessage(), e);
            }
        }
    }

    private static int flvType(MediaTag tag) {
        return switch (tag.kind()) {
            case AUDIO -> FlvWriter.AUDIO;
            case VIDEO -> FlvWriter.VIDEO;
            case SCRIPT -> FlvWriter.SCRIPT;
        };
    }
}
