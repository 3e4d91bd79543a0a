package io.castpipe.ingest.chunk;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory all connections of a process together may hold in messages still arriving
 * ({@code CASTPIPE_RTMP_BUFFER_MB}), in two shares that never take from each other: a quarter for
 * connections that have not published, the rest for publishers. Connections that showed no
 * stream key cannot take what live streams need, and publishers cannot take the little a newcomer
 * needs for its commands. At the defaults the quarter (16 MiB) holds every connection the process
 * admits (1,000) with all it may hold before publishing
 * ({@link RtmpChunkDecoder#MAX_HELD_BEFORE_PUBLISH}, 16 KiB), so below the connection cap it is
 * never spent. Each {@link RtmpChunkDecoder} reserves what its reassembly buffers take from its
 * share before it allocates them, and gives it back when a message is whole or the connection goes.
 */
public final class ReassemblyPool {
    private final long limit;
    private final Share beforePublish;
    private final Share publishing;

    public ReassemblyPool(long limitBytes) {
        this.limit = limitBytes;
        this.beforePublish = new Share(limitBytes / 4);
        this.publishing = new Share(limitBytes - limitBytes / 4);
    }

    /** The share of connections whose publish was not accepted (yet). */
    public Share beforePublish() {
        return beforePublish;
    }

    /** The share of publishers. */
    public Share publishing() {
        return publishing;
    }

    /** What all connections hold now. */
    public long held() {
        return beforePublish.held() + publishing.held();
    }

    public long limit() {
        return limit;
    }

    /** A part of the pool with a ceiling of its own. */
    public static final class Share {
        private final long limit;
        private final AtomicLong held = new AtomicLong();

        private Share(long limit) {
            this.limit = limit;
        }

        /** Takes {@code bytes}; false, taking nothing, when that would go past the limit. */
        boolean tryReserve(long bytes) {
            long now;
            do {
                now = held.get();
                if (now + bytes > limit) {
                    return false;
                }
            } while (!held.compareAndSet(now, now + bytes));
            return true;
        }

        void release(long bytes) {
            held.addAndGet(-bytes);
        }

        public long held() {
            return held.get();
        }

        public long limit() {
            return limit;
        }
    }
}
