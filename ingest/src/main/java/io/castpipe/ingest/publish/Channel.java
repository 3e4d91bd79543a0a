package io.castpipe.ingest.publish;

import io.castpipe.common.media.LatencyMode;

/** The channel a stream key belongs to, and its latency mode (which every media tag carries on). */
public record Channel(String id, String name, LatencyMode latency) {
}
