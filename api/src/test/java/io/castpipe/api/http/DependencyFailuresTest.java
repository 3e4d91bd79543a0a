package io.castpipe.api.http;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import io.castpipe.common.storage.ObjectStoreException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures are a shared service being away (503, retry) and which are not (500 or the endpoint's own answer). */
class DependencyFailuresTest {

    @Test
    void aDatabaseThatDoesNotAnswerIsAway() {
        assertThat(DependencyFailures.unavailable(new IllegalStateException("updating videos",
                new SQLTransientConnectionException("pool: connection not available, request timed out after 10000ms"))))
                .contains("database");
        assertThat(DependencyFailures.unavailable(new SQLException("Connection refused", "08001"))).contains("database");
        assertThat(DependencyFailures.unavailable(new SQLException("terminating connection due to administrator command", "57P01")))
                .contains("database");
        assertThat(DependencyFailures.unavailable(new SQLException("Connection is broken", "90067"))).contains("database");
    }

    @Test
    void aQueryTheDatabaseRefusesIsNotAnOutage() {
        assertThat(DependencyFailures.unavailable(new IllegalStateException(new SQLException("syntax error", "42601")))).isEmpty();
        assertThat(DependencyFailures.unavailable(new SQLException("value too long", "22001"))).isEmpty();
    }

    @Test
    void onlyStorageThatCannotServeNowIsAway() {
        assertThat(DependencyFailures.unavailable(new ObjectStoreException("k: connection refused", null, true))).contains("storage");
        assertThat(DependencyFailures.unavailable(new ObjectStoreException("k: Access Denied (403)", null, false))).isEmpty();
        assertThat(DependencyFailures.unavailable(new IllegalArgumentException("bad id"))).isEmpty();
    }
}
