package io.castpipe.common.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many of something (connections, waiting requests) each client address holds at once,
 * with a ceiling per address. An IPv6 client is its /64, which is what one subscriber gets.
 * Entries go when their count returns to zero, so the map is never larger than what is held.
 */
public final class AddressLimits {
    private final int perAddress;
    private final ConcurrentHashMap<Key, Integer> held = new ConcurrentHashMap<>();

    public AddressLimits(int perAddress) {
        if (perAddress < 1) {
            throw new IllegalArgumentException("perAddress must be at least 1");
        }
        this.perAddress = perAddress;
    }

    public int perAddress() {
        return perAddress;
    }

    /** Takes one for {@code address}; false, taking nothing, when it already holds its share. */
    public boolean tryAcquire(InetAddress address) {
        boolean[] taken = {false};
        held.compute(Key.of(address), (k, n) -> {
            int count = n == null ? 0 : n;
            if (count >= perAddress) {
                return n;
            }
            taken[0] = true;
            return count + 1;
        });
        return taken[0];
    }

    /** Gives back one that {@link #tryAcquire} took. */
    public void release(InetAddress address) {
        held.computeIfPresent(Key.of(address), (k, n) -> n <= 1 ? null : n - 1);
    }

    public int held(InetAddress address) {
        return held.getOrDefault(Key.of(address), 0);
    }

    /** Addresses holding anything now. */
    public int addresses() {
        return held.size();
    }

    /** How a client is named in per-address counts kept elsewhere (rate buckets): its address, or its /64. */
    public static String keyOf(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] prefix = Arrays.copyOf(address.getAddress(), 16);
            Arrays.fill(prefix, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return address.getHostAddress();
    }

    private record Key(byte[] bytes) {
        static Key of(InetAddress address) {
            byte[] b = address.getAddress();
            return new Key(address instanceof Inet6Address ? Arrays.copyOf(b, 8) : b);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }
}
