package io.castpipe.common.net;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AddressLimitsTest {

    @Test
    void eachAddressHoldsAtMostItsShareAndGetsItBackOnRelease() throws Exception {
        AddressLimits limits = new AddressLimits(2);
        InetAddress a = InetAddress.getByName("198.51.100.1");
        InetAddress b = InetAddress.getByName("198.51.100.2");
        assertThat(limits.tryAcquire(a)).isTrue();
        assertThat(limits.tryAcquire(a)).isTrue();
        assertThat(limits.tryAcquire(a)).isFalse();
        assertThat(limits.tryAcquire(b)).isTrue();
        limits.release(a);
        assertThat(limits.tryAcquire(a)).isTrue();
        limits.release(a);
        limits.release(a);
        limits.release(b);
        assertThat(limits.addresses()).isZero();
    }

    @Test
    void anIpv6ClientIsItsSlash64() throws Exception {
        AddressLimits limits = new AddressLimits(1);
        assertThat(limits.tryAcquire(InetAddress.getByName("2001:db8:1:2::1"))).isTrue();
        assertThat(limits.tryAcquire(InetAddress.getByName("2001:db8:1:2:ffff::9"))).isFalse();
        assertThat(limits.tryAcquire(InetAddress.getByName("2001:db8:1:3::1"))).isTrue();
    }

    @Test
    void aClientIsNamedByItsAddressOrItsSlash64() throws Exception {
        assertThat(AddressLimits.keyOf(InetAddress.getByName("198.51.100.7"))).isEqualTo("198.51.100.7");
        assertThat(AddressLimits.keyOf(InetAddress.getByName("2001:db8:1:2:aaaa::1")))
                .isEqualTo(AddressLimits.keyOf(InetAddress.getByName("2001:db8:1:2:bbbb::9"))).endsWith("/64");
        assertThat(AddressLimits.keyOf(InetAddress.getByName("2001:db8:1:3::1")))
                .isNotEqualTo(AddressLimits.keyOf(InetAddress.getByName("2001:db8:1:2::1")));
    }
}
