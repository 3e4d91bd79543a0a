package io.castpipe.common.net;

import java.net.InetAddress;
import java.util.Map;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustedProxiesTest {
    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void anUntrustedPeerIsTheClientWhateverItsHeadersSay() throws Exception {
        TrustedProxies proxies = TrustedProxies.parse("10.0.0.0/8");
        assertThat(proxies.client(ip("203.0.113.9"), "1.2.3.4")).isEqualTo(ip("203.0.113.9"));
        assertThat(TrustedProxies.none().client(ip("127.0.0.1"), "1.2.3.4")).isEqualTo(ip("127.0.0.1"));
    }

    @Test
    void behindTrustedProxiesTheClientIsTheRightmostUntrustedHop() throws Exception {
        TrustedProxies proxies = TrustedProxies.parse(" 10.0.0.0/8 , 192.168.1.7, fd00::/8 ");
        // A client that forges a first hop does not get it believed: the CDN appended the real one.
        assertThat(proxies.client(ip("10.1.2.3"), "6.6.6.6, 198.51.100.20")).isEqualTo(ip("198.51.100.20"));
        assertThat(proxies.client(ip("10.1.2.3"), "198.51.100.20, 192.168.1.7")).isEqualTo(ip("198.51.100.20"));
        assertThat(proxies.client(ip("fd00::1"), "2001:db8::5")).isEqualTo(ip("2001:db8::5"));
        assertThat(proxies.client(ip("10.1.2.3"), "[2001:db8::5]")).isEqualTo(ip("2001:db8::5"));
        // Only trusted hops: the leftmost is the best there is.
        assertThat(proxies.client(ip("10.1.2.3"), "10.9.9.9")).isEqualTo(ip("10.9.9.9"));
        assertThat(proxies.client(ip("10.1.2.3"), null)).isEqualTo(ip("10.1.2.3"));
    }

    @Test
    void aHopThatIsNotAnAddressEndsTheWalkAndIsNeverLookedUp() throws Exception {
        TrustedProxies proxies = TrustedProxies.parse("10.0.0.0/8");
        assertThat(proxies.client(ip("10.1.2.3"), "198.51.100.20, unknown")).isEqualTo(ip("10.1.2.3"));
        assertThat(proxies.client(ip("10.1.2.3"), "example.com")).isEqualTo(ip("10.1.2.3"));
        assertThat(TrustedProxies.literal("localhost")).isNull();
        assertThat(TrustedProxies.literal("fe80::1%eth0")).isNull();
    }

    @Test
    void blocksMatchByPrefix() throws Exception {
        TrustedProxies proxies = TrustedProxies.parse("172.16.0.0/12,::1,0.0.0.0/0");
        assertThat(proxies.trusts(ip("172.31.255.255"))).isTrue();
        assertThat(proxies.trusts(ip("::1"))).isTrue();
        assertThat(proxies.trusts(ip("::2"))).isFalse();
        assertThat(TrustedProxies.parse("172.16.0.0/12").trusts(ip("172.32.0.1"))).isFalse();
        assertThat(TrustedProxies.parse("172.16.0.0/12").trusts(ip("::ffff:172.16.0.1"))).isTrue();
    }

    @Test
    void aBadListStopsTheNodeNamingTheSetting() {
        for (String bad : new String[]{"10.0.0.0/33", "proxy.example.com", "10.0.0.0/x", "::1/129"}) {
            assertThatThrownBy(() -> TrustedProxies.fromConfig(CastpipeConfig.from(Map.of("CASTPIPE_TRUSTED_PROXIES", bad))))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("CASTPIPE_TRUSTED_PROXIES=" + bad);
        }
    }
}
