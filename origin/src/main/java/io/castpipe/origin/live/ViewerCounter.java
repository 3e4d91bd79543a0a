package io.castpipe.origin.live;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The viewers of each live stream on this node. A viewer is a distinct client — its address and
 * User-Agent, hashed with a salt drawn at start, never kept raw — that fetched one of the stream's
 * media playlists or segments within the window. Bounded: at most {@link #MAX_STREAMS} streams and
 * {@link #MAX_CLIENTS} clients in all are tracked; a client beyond that is not counted until others
 * have been idle for the window.
 */
public final class ViewerCounter {
    static final int MAX_STREAMS = 1_000;
    static final int MAX_CLIENTS = 200_000;

    /** One per IO thread: looking a digest up costs about as much as hashing with it, on every request. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    });

    private final long windowNanos;
    private final int maxStreams;
    private final int maxClients;
    private final LongSupplier nanoClock;
    private final byte[] salt = new byte[16];
    private final Map<String, Map<Long, Long>> lastSeenByStream = new ConcurrentHashMap<>();
    private final AtomicInteger clients = new AtomicInteger();

    public ViewerCounter(Duration window) {
        this(window, MAX_STREAMS, MAX_CLIENTS, System::nanoTime);
    }

    ViewerCounter(Duration window, int maxStreams, int maxClients, LongSupplier nanoClock) {
        this.windowNanos = window.toNanos();
        this.maxStreams = maxStreams;
        this.maxClients = maxClients;
        this.nanoClock = nanoClock;
        new SecureRandom().nextBytes(salt);
    }

    /** A request of {@code streamId}'s media playlist or segment by the client at {@code address}. */
    public void seen(String streamId, String address, String userAgent) {
        long client = hash(address, userAgent == null ? "" : userAgent);
        long now = nanoClock.getAsLong();
        lastSeenByStream.compute(streamId, (id, lastSeen) -> {
            if (lastSeen == null) {
                if (lastSeenByStream.size() >= maxStreams) {
                    return null;
                }
                lastSeen = new ConcurrentHashMap<>();
            }
            lastSeen.compute(client, (k, before) -> {
                if (before == null && clients.incrementAndGet() > maxClients) {
                    clients.decrementAndGet();
                    return null;
                }
                return now;
            });
            return lastSeen.isEmpty() ? null : lastSeen;
        });
    }

    /**
     * The viewers of every stream tracked, after forgetting clients idle for longer than the window.
     * A stream whose last viewer left is in the answer once more, with 0, and then forgotten.
     */
    public Map<String, Integer> counts() {
        long now = nanoClock.getAsLong();
        Map<String, Integer> counts = new HashMap<>();
        for (String stream : lastSeenByStream.keySet()) {
            lastSeenByStream.computeIfPresent(stream, (id, lastSeen) -> {
                lastSeen.forEach((client, at) -> {
                    if (now - at > windowNanos && lastSeen.remove(client, at)) {
                        clients.decrementAndGet();
                    }
                });
                counts.put(id, lastSeen.size());
                return lastSeen.isEmpty() ? null : lastSeen;
            });
        }
        return counts;
    }

    private long hash(String address, String userAgent) {
        MessageDigest sha = SHA_256.get();
        sha.update(salt);
        sha.update(address.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(userAgent.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(sha.digest()).getLong();
    }
}
