package io.castpipe.api.outbox;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import io.castpipe.common.db.Database;
import io.castpipe.common.events.EventCodec;
import io.castpipe.common.kafka.Topic;

/**
 * Kafka records written in the same database transaction as the state change they drive, so
 * that neither is ever kept without the other: a video is {@code queued} exactly when its job
 * is bound for {@code vod.jobs}. {@link OutboxRelay} puts them on Kafka afterwards, in the order
 * they were written, and deletes them once the broker has them; a record may therefore reach
 * Kafka twice (the relay stopped between the two), never not at all, and its consumers take a
 * second copy as a no-op.
 */
public final class Outbox {
    private final Database db;
    private volatile Runnable written = () -> { };

    public Outbox(Database db) {
        this.db = db;
    }

    /** What runs inside one transaction: the state change, and the records that go with it. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Transaction tx) throws SQLException;
    }

    /** One transaction's connection, and the records it adds to the outbox. */
    public static final class Transaction {
        private final Connection connection;
        private int added;

        private Transaction(Connection connection) {
            this.connection = connection;
        }

        public Connection connection() {
            return connection;
        }

        /** Adds a record, sent once the transaction commits (and not at all if it does not). */
        public void add(Topic topic, String key, Object record) throws SQLException {
            try (PreparedStatement ps = connection.prepareStatement(
                    "INSERT INTO outbox (topic, record_key, payload, created_at) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, topic.name());
                ps.setString(2, key);
                ps.setString(3, new String(EventCodec.encode(record), StandardCharsets.UTF_8));
                ps.setObject(4, OffsetDateTime.now(ZoneOffset.UTC));
                ps.executeUpdate();
            }
            added++;
        }
    }

    /**
     * Runs {@code work} in one transaction: its changes and its records are committed together or
     * not at all.
     *
     * @throws IllegalStateException when the database failed
     */
    public <T> T inTransaction(String what, Work<T> work) {
        int[] added = {0};
        T result;
        try {
            result = db.inTransaction(c -> {
                Transaction tx = new Transaction(c);
                T r = work.run(tx);
                added[0] = tx.added;
                return r;
            });
        } catch (SQLException e) {
            throw new IllegalStateException(what + ": " + e.getMessage(), e);
        }
        if (added[0] > 0) {
            written.run();
        }
        return result;
    }

    /** What to call after a transaction committed records: the relay, which then sends them at once. */
    void onWritten(Runnable hook) {
        this.written = hook;
    }

    /** A record waiting to be sent; {@code topic} null when this version does not know it (a newer one wrote it). */
    record Entry(long id, Topic topic, String key, byte[] payload) {
    }

    /** The oldest records waiting, at most {@code limit}. */
    List<Entry> oldest(int limit) throws SQLException {
        List<Entry> out = new ArrayList<>();
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT id, topic, record_key, payload FROM outbox ORDER BY id FETCH FIRST " + limit + " ROWS ONLY");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Entry(rs.getLong(1), topic(rs.getString(2)), rs.getString(3),
                        rs.getString(4).getBytes(StandardCharsets.UTF_8)));
            }
        }
        return out;
    }

    private static Topic topic(String name) {
        try {
            return Topic.valueOf(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    void delete(List<Entry> sent) throws SQLException {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM outbox WHERE id = ?")) {
            for (Entry e : sent) {
                ps.setLong(1, e.id());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    long pending() throws SQLException {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM outbox");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Whether a record for {@code key} on {@code topic} is still waiting to be sent. */
    public boolean waiting(Connection c, Topic topic, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM outbox WHERE topic = ? AND record_key = ?")) {
            ps.setString(1, topic.name());
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Takes or renews the right to relay for {@code length}: true when {@code holder} has it, because
     * nobody held it, its lease ran out, or it held it already.
     */
    boolean lease(String holder, Duration length, Instant now) throws SQLException {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("UPDATE outbox_relay SET holder = ?, held_until = ? WHERE id = 1 "
                     + "AND (holder IS NULL OR holder = ? OR held_until < ?)")) {
            ps.setString(1, holder);
            ps.setObject(2, OffsetDateTime.ofInstant(now.plus(length), ZoneOffset.UTC));
            ps.setString(3, holder);
            ps.setObject(4, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            return ps.executeUpdate() == 1;
        }
    }

    /** Gives the lease up (the node stops), so another node relays at once rather than after it ran out. */
    void release(String holder) throws SQLException {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("UPDATE outbox_relay SET holder = NULL, held_until = NULL "
                     + "WHERE id = 1 AND holder = ?")) {
            ps.setString(1, holder);
            ps.executeUpdate();
        }
    }
}
