package io.castpipe.api.channels;

import java.time.Instant;

import io.castpipe.api.auth.Caller;

/** A channel as stored: a streamer's place to go live, with the key OBS publishes with. */
public record Channel(String id, String name, String ownerId, String title, String latency, String streamKey,
                     Instant createdAt) {

    public boolean manageableBy(Caller caller) {
        return caller.isAdmin() || caller.is(ownerId);
    }
}
