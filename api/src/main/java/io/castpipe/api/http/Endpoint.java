package io.castpipe.api.http;

/** One API operation. It runs on a worker thread, so it may block on the database and storage. */
@FunctionalInterface
public interface Endpoint {
    void handle(ApiRequest request) throws Exception;
}
