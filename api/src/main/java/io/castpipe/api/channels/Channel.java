package io.castpipe.api.channels;

import java.time.Instant;

/** A channel as stored: a streamer's place to go live, with the key OBS publishes with. */
public record Channel(String id, String name, String ownerId, String title, String latency, String streamKey,
                     Instant createdAt) {
}
