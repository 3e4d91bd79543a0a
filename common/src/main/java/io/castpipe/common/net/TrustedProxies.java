package io.castpipe.common.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.ConfigException;
import io.castpipe.common.config.Setting;

/**
 * Which peers may say who the client is ({@code CASTPIPE_TRUSTED_PROXIES}). A request from a
 * trusted proxy or CDN is the client its {@code X-Forwarded-For} names; from anyone else it is
 * the peer itself, whatever headers it sends, so a client cannot slip past a per-address limit
 * by claiming another address.
 */
public final class TrustedProxies {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final TrustedProxies NONE = new TrustedProxies(List.of());

    private final List<Block> blocks;

    private TrustedProxies(List<Block> blocks) {
        this.blocks = blocks;
    }

    public static TrustedProxies none() {
        return NONE;
    }

    public static TrustedProxies fromConfig(CastpipeConfig config) {
        try {
            return parse(config.string(Setting.TRUSTED_PROXIES));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(Setting.TRUSTED_PROXIES.env() + "=" + config.string(Setting.TRUSTED_PROXIES)
                    + ": " + e.getMessage() + "; list addresses or CIDR blocks separated by commas, e.g. 10.0.0.0/8,::1");
        }
    }

    /** Addresses and CIDR blocks separated by commas, e.g. {@code 10.0.0.0/8, 192.168.1.7, fd00::/8}. */
    public static TrustedProxies parse(String list) {
        List<Block> blocks = new ArrayList<>();
        for (String item : list.split(",")) {
            String s = item.trim();
            if (s.isEmpty()) {
                continue;
            }
            int slash = s.indexOf('/');
            InetAddress address = literal(slash < 0 ? s : s.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("'" + s + "' is not an IP address or CIDR block");
            }
            int max = address.getAddress().length * 8;
            int bits = max;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(s.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > max) {
                    throw new IllegalArgumentException("'" + s + "' has a prefix length outside 0 to " + max);
                }
            }
            blocks.add(new Block(address.getAddress(), bits));
        }
        return blocks.isEmpty() ? NONE : new TrustedProxies(List.copyOf(blocks));
    }

    public boolean trusts(InetAddress peer) {
        byte[] a = peer.getAddress();
        for (Block b : blocks) {
            if (b.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client behind {@code peer}: the peer itself unless it is trusted; then, reading
     * {@code X-Forwarded-For} from its right end (each proxy appends the address it was called
     * from), the first address that is not a trusted proxy. What an untrusted hop wrote further
     * left may be made up, so it is never read; nor is anything after an entry that is not an
     * IP address.
     */
    public InetAddress client(InetAddress peer, String forwardedFor) {
        if (forwardedFor == null || !trusts(peer)) {
            return peer;
        }
        InetAddress client = peer;
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0 && trusts(client); i--) {
            InetAddress hop = literal(hops[i].trim());
            if (hop == null) {
                break;
            }
            client = hop;
        }
        return client;
    }

    /** An IP address literal, never a host name (which would be looked up); null if it is not one. */
    static InetAddress literal(String s) {
        String bare = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        if (bare.isEmpty() || bare.length() > 45 || !(IPV4.matcher(bare).matches() || IPV6.matcher(bare).matches())) {
            return null;
        }
        try {
            InetAddress a = InetAddress.getByName(bare);
            return a instanceof Inet6Address v6 && v6.getScopedInterface() != null ? null : a;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private record Block(byte[] network, int bits) {
        boolean contains(byte[] a) {
            if (a.length != network.length) {
                return false;
            }
            int whole = bits / 8;
            for (int i = 0; i < whole; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest);
            return (a[whole] & mask) == (network[whole] & mask);
        }
    }
}
