package io.castpipe.common.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.castpipe.common.TestServices;
import io.castpipe.common.config.ConfigException;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The migrations on an empty database (and V6 on a user made before it): the embedded H2 always, and PostgreSQL when
 * CASTPIPE_TEST_POSTGRES_URL (with _USER and _PASSWORD) names one, as the CI run does.
 */
class DatabaseTest {

    static Stream<Arguments> emptyDatabases() throws Exception {
        List<Arguments> dbs = new ArrayList<>();
        String h2 = "jdbc:h2:file:" + TestServices.tempDir("db").resolve("castpipe")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        dbs.add(Arguments.of("h2", h2, "castpipe", "secret"));
        String pg = System.getenv("CASTPIPE_TEST_POSTGRES_URL");
        if (pg != null && !pg.isBlank()) {
            String user = System.getenv().getOrDefault("CASTPIPE_TEST_POSTGRES_USER", "castpipe");
            String password = System.getenv().getOrDefault("CASTPIPE_TEST_POSTGRES_PASSWORD", "castpipe");
            resetPostgres(pg, user, password);
            dbs.add(Arguments.of("postgresql", pg, user, password));
        }
        return dbs.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("emptyDatabases")
    void migrationsBuildTheSchemaOnAnEmptyDatabaseAndRerunAsNoOps(String kind, String url, String user, String password)
            throws Exception {
        OffsetDateTime now = OffsetDateTime.now();
        // A user made before V6, when a user had exactly one token kept beside their name.
        Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration").target("5").load().migrate();
        try (Connection c = java.sql.DriverManager.getConnection(url, user, password); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO users (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, "u1");
            ps.setString(2, "alice");
            ps.setString(3, "hash-1");
            ps.setObject(4, now);
            ps.executeUpdate();
        }
        try (Database db = Database.open(url, user, password, 2); Connection c = db.connection()) {
            // V6 made that token the user's "default" API token.
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT id, user_id, name, token_hash FROM api_tokens")) {
                assertThat(rs.next()).isTrue();
                assertThat(List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                        .containsExactly("u1", "u1", "default", "hash-1");
                assertThat(rs.next()).isFalse();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO channels (id, name, owner_id, title, stream_key, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, "c1");
                ps.setString(2, "alice-live");
                ps.setString(3, "u1");
                ps.setString(4, "Alice");
                ps.setString(5, "key-1");
                ps.setObject(6, now);
                ps.executeUpdate();
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT latency FROM channels WHERE name = 'alice-live'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("normal");
            }
            // The schema's checks hold on both databases.
            assertThatThrownBy(() -> {
                try (Statement st = c.createStatement()) {
                    st.executeUpdate("UPDATE channels SET latency = 'instant' WHERE id = 'c1'");
                }
            }).isInstanceOf(java.sql.SQLException.class);
            assertUploadsGoWithTheirVideo(c, now);
        }
        // Opening again finds the schema current and keeps the data.
        try (Database db = Database.open(url, user, password, 2); Connection c = db.connection();
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM users")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    /** V2: a video's uploads and their parts are deleted with it, and the upload kinds are checked. */
    private static void assertUploadsGoWithTheirVideo(Connection c, OffsetDateTime now) throws Exception {
        try (Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO videos (id, owner_id, title, created_at, updated_at, source_json, renditions_json) "
                    + "VALUES ('v1', 'u1', 'A video', TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00', "
                    + "TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00', '{\"width\":1920}', '[]')");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO uploads (id, video_id, kind, s3_upload_id, "
                + "upload_length, part_size, expires_at, created_at) VALUES ('up1', 'v1', 'tus', 's3-id', 100, 5242880, ?, ?)")) {
            ps.setObject(1, now.plusDays(1));
            ps.setObject(2, now);
            ps.executeUpdate();
        }
        try (Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO upload_parts (upload_id, part_number, size_bytes, etag) VALUES ('up1', 1, 100, '\"e1\"')");
            assertThatThrownBy(() -> st.executeUpdate("UPDATE uploads SET kind = 'ftp' WHERE id = 'up1'"))
                    .isInstanceOf(java.sql.SQLException.class);
            st.executeUpdate("DELETE FROM videos WHERE id = 'v1'");
            try (ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM uploads) + (SELECT count(*) FROM upload_parts)")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    @Test
    void wrongPasswordFailsWithAnActionableMessage() throws Exception {
        String url = "jdbc:h2:file:" + TestServices.tempDir("db").resolve("castpipe") + ";MODE=PostgreSQL";
        Database.open(url, "castpipe", "right", 1).close();
        assertThatThrownBy(() -> Database.open(url, "castpipe", "wrong", 1))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("CASTPIPE_DB_PASSWORD");
    }

    private static void resetPostgres(String url, String user, String password) throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(url, user, password); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA public CASCADE");
            st.execute("CREATE SCHEMA public");
        }
    }
}
