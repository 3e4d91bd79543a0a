package io.castpipe.common.http;

import java.time.Duration;
import java.util.Map;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.Setting;
import io.castpipe.common.net.TrustedProxies;

/**
 * What the node's HTTP listener lets clients hold: connections in all (both ports together) and
 * per client address, and how long a connection may take over a request's head or sit idle.
 * Peers {@code trustedProxies} names (a CDN, a load balancer) carry many clients and are not
 * limited per address.
 */
public record HttpBounds(int maxConnections, int maxConnectionsPerAddress, Duration headerTimeout, Duration idleTimeout,
                         TrustedProxies trustedProxies) {

    public static HttpBounds fromConfig(CastpipeConfig config) {
        return new HttpBounds(config.integer(Setting.HTTP_MAX_CONNECTIONS, 1, 1_000_000),
                config.integer(Setting.HTTP_MAX_CONNECTIONS_PER_ADDRESS, 1, 1_000_000),
                Duration.ofSeconds(config.integer(Setting.HTTP_HEADER_TIMEOUT_SECONDS, 1, 300)),
                Duration.ofSeconds(config.integer(Setting.HTTP_IDLE_TIMEOUT_SECONDS, 1, 3600)),
                TrustedProxies.fromConfig(config));
    }

    /** These bounds with other connection budgets (load tests whose clients all share one address). */
    public HttpBounds withConnections(int max, int perAddress) {
        return new HttpBounds(max, perAddress, headerTimeout, idleTimeout, trustedProxies);
    }

    /** The defaults of every setting. */
    public static HttpBounds defaults() {
        return fromConfig(CastpipeConfig.from(Map.of()));
    }
}
