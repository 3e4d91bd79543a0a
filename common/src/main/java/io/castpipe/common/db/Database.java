package io.castpipe.common.db;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.castpipe.common.config.ConfigException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata database: a connection pool, brought to the newest schema on open. The
 * migrations in {@code db/migration} are plain SQL that PostgreSQL and the embedded H2 both run.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource pool;

    private Database(HikariDataSource pool) {
        this.pool = pool;
    }

    public static Database open(String url, String user, String password, int poolSize) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setUsername(user);
        hc.setPassword(password);
        // Flyway holds a second connection while it migrates; a pool of one would deadlock it.
        hc.setMaximumPoolSize(Math.max(2, poolSize));
        hc.setPoolName("castpipe-db");
        hc.setConnectionTimeout(10_000);
        hc.setInitializationFailTimeout(1); // one try: a wrong password will not become right by waiting
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hc);
        } catch (HikariPool.PoolInitializationException | IllegalArgumentException | IllegalStateException e) {
            throw unreachable(url, user, e);
        }
        try {
            migrate(pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(pool);
    }

    private static void migrate(DataSource dataSource) {
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load();
        MigrateResult result = flyway.migrate();
        log.info("database schema at version {} ({} migrations applied now)",
                flyway.info().current().getVersion(), result.migrationsExecuted);
    }

    /** True when {@code e} is a unique-constraint violation (SQLSTATE 23505 on PostgreSQL and H2 alike). */
    public static boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    /**
     * True when the database refused the values themselves (SQLSTATE class 22: too long for the
     * column, a time out of its range, a character it cannot hold), so that trying again would fail
     * the same way.
     */
    public static boolean isDataException(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("22");
    }

    public DataSource dataSource() {
        return pool;
    }

    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /** What runs inside one transaction, on its connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    private static ConfigException unreachable(String url, String user, Exception e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String reason = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        String hint = reason.toLowerCase(java.util.Locale.ROOT).contains("password")
                || reason.toLowerCase(java.util.Locale.ROOT).contains("authentication")
                ? "check CASTPIPE_DB_USER and CASTPIPE_DB_PASSWORD"
                : "check CASTPIPE_DB_URL and that the database is running";
        return new ConfigException("database " + url + " refused user '" + user + "' or is unreachable ("
                + firstLine(reason) + "); " + hint, e);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
