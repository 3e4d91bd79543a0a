package io.castpipe.ingest.session;

import java.util.List;

import io.castpipe.ingest.chunk.RtmpLimitException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts the connections ingest refused or closed for going past a bound, by reason:
 * {@code castpipe_ingest_refused_total{reason}}.
 */
public final class Refusals {
    /** More than {@code CASTPIPE_RTMP_MAX_CONNECTIONS} connections. */
    public static final String MAX_CONNECTIONS = "max_connections";
    /** More than {@code CASTPIPE_RTMP_MAX_CONNECTIONS_PER_ADDRESS} from one address. */
    public static final String PER_ADDRESS = "per_address";
    /** No publish accepted within {@code CASTPIPE_RTMP_PUBLISH_TIMEOUT_SECONDS}. */
    public static final String PUBLISH_TIMEOUT = "publish_timeout";

    private final MeterRegistry registry;

    public Refusals(MeterRegistry registry) {
        this.registry = registry;
        for (String reason : List.of(MAX_CONNECTIONS, PER_ADDRESS, PUBLISH_TIMEOUT, RtmpLimitException.BEFORE_PUBLISH,
                RtmpLimitException.BUFFER)) {
            counter(reason);
        }
    }

    public void count(String reason) {
        counter(reason).increment();
    }

    private Counter counter(String reason) {
        return Counter.builder("castpipe.ingest.refused").description("RTMP connections refused or closed for going past a bound")
                .tag("reason", reason).register(registry);
    }
}
