package io.castpipe.chat.limit;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each user may do on this node, whichever of their connections it comes through: hold at
 * most {@link #MAX_CONNECTIONS} connections with their tokens, and send messages from one
 * {@link TokenBucket} that all of them share, so that more connections give no more messages.
 * A user is remembered while a connection holds them and after, until their bucket is full again
 * ({@link #forgetIdle}), so that connecting again does not refill it either.
 */
public final class UserLimits {
    /** Tabs on several channels, and a reload whose old connection has not closed yet; not a crowd on one token. */
    public static final int MAX_CONNECTIONS = 10;

    private final int postBurst;
    private final Duration postRefill;
    private final ConcurrentHashMap<String, User> users = new ConcurrentHashMap<>();

    public UserLimits(int postBurst, Duration postRefill) {
        this.postBurst = postBurst;
        this.postRefill = postRefill;
    }

    /** The user, holding one more connection; null, holding nothing, when they hold {@link #MAX_CONNECTIONS} already. */
    public User connect(String userId, long nowNanos) {
        User[] connected = {null};
        users.compute(userId, (id, known) -> {
            User user = known != null ? known : new User(new TokenBucket(postBurst, postRefill, nowNanos));
            if (user.connections < MAX_CONNECTIONS) {
                user.connections++;
                connected[0] = user;
            }
            return user;
        });
        return connected[0];
    }

    /** Gives back the connection {@link #connect} counted. */
    public void disconnect(String userId) {
        users.computeIfPresent(userId, (id, user) -> {
            user.connections--;
            return user;
        });
    }

    /** Forgets the users without a connection whose bucket is full again: they would start the same. */
    public void forgetIdle(long nowNanos) {
        for (String userId : users.keySet()) {
            users.computeIfPresent(userId, (id, user) -> user.connections == 0 && user.postsFull(nowNanos) ? null : user);
        }
    }

    /** Users remembered now. */
    public int size() {
        return users.size();
    }

    /** One user's share of this node; their connections' worker threads take from it at once. */
    public static final class User {
        private final TokenBucket posts;
        /** Guarded by the map's compute for the user. */
        private int connections;

        private User(TokenBucket posts) {
            this.posts = posts;
        }

        public synchronized boolean tryPost(long nowNanos) {
            return posts.tryTake(nowNanos);
        }

        public synchronized Duration untilNextPost(long nowNanos) {
            return posts.untilNext(nowNanos);
        }

        private synchronized boolean postsFull(long nowNanos) {
            return posts.isFull(nowNanos);
        }
    }
}
