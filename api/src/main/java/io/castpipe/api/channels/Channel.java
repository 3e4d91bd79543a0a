package io.castpipe.api.channels;

import java.time.Instant;

import io.castpipe.api.auth.Caller;
import io.castpipe.api.auth.UserTokens;

/** A channel as stored: a streamer's place to go live, with the key OBS publishes with. */
public record Channel(String id, String name, String ownerId, String title, String latency, String streamKey,
                     Instant createdAt) {

    public boolean manageableBy(Caller caller) {
        return caller.isAdmin() || caller.is(ownerId);
    }

    /** Stream keys are as strong as user tokens; a prefix makes a pasted key recognisable. */
    public static String newStreamKey() {
        return "live_" + UserTokens.newToken();
    }
}
