package io.castpipe.api.http;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;
import java.util.Set;

import io.castpipe.common.storage.ObjectStoreException;

/**
 * Tells a failure of a shared service from a failure of the request: a request that failed because
 * the database or object storage is away gets 503 with {@code Retry-After}, which a client retries,
 * not the 500 of a bug.
 */
final class DependencyFailures {
    static final int RETRY_AFTER_SECONDS = 5;
    /** H2's own codes for a connection lost or a database closed (PostgreSQL says class 08 or 57). */
    private static final Set<String> H2_CONNECTION_STATES = Set.of("90067", "90098", "90121");

    private DependencyFailures() {
    }

    /** "database" or "storage" when that is what failed; empty for anything else. */
    static Optional<String> unavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLException e && isConnectionState(e.getSQLState())) {
                return Optional.of("database");
            }
            if (t instanceof ObjectStoreException e && e.unavailable()) {
                return Optional.of("storage");
            }
        }
        return Optional.empty();
    }

    private static boolean isConnectionState(String state) {
        return state != null && (state.startsWith("08") || state.startsWith("57") || H2_CONNECTION_STATES.contains(state));
    }
}
