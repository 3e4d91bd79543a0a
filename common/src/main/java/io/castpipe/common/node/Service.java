package io.castpipe.common.node;

/**
 * The working part of a role: the API, the origin, a consumer group of workers. The launcher
 * builds each from the {@link NodeContext}, starts it once the shared services are reachable,
 * and closes it on shutdown before the shared services go.
 */
public interface Service extends AutoCloseable {

    /** Begins work: mounts HTTP paths, opens listeners, starts consumers. */
    void start() throws Exception;

    /** Stops taking work, finishes or abandons what is in flight (uncommitted), releases everything. */
    @Override
    void close();
}
