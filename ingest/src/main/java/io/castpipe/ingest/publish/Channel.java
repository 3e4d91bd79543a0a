package io.castpipe.ingest.publish;

/** The channel a stream key belongs to. */
public record Channel(String id, String name) {
}
