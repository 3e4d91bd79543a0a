package io.castpipe.ingest.chunk;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory all connections of a process together may hold in messages still arriving
 * ({@code CASTPIPE_RTMP_BUFFER_MB}). Each {@link RtmpChunkDecoder} reserves what its reassembly
 * buffers take before it allocates them, and gives it back when a message is whole or the
 * connection goes.
 */
public final class ReassemblyPool {
    private final long limit;
    private final AtomicLong held = new AtomicLong();

    public ReassemblyPool(long limitBytes) {
        this.limit = limitBytes;
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
