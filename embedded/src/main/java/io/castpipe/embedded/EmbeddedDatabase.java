package io.castpipe.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

import org.h2.tools.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An H2 database kept in a local folder, opened in this JVM and also served over TCP on
 * loopback, so that a second Castpipe process on the machine can share it.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
    /** PostgreSQL mode keeps the migrations and queries portable to the production database. */
    static final String OPTIONS = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
    private static final String NAME = "castpipe";

    private final Path baseDir;
    private final int port;
    private Server server;

    public EmbeddedDatabase(Path baseDir, int port) {
        this.baseDir = baseDir;
        this.port = port;
    }

    public EmbeddedDatabase start() throws Exception {
        Files.createDirectories(baseDir);
        try {
            server = Server.createTcpServer("-tcpPort", String.valueOf(port),
                    "-baseDir", baseDir.toAbsolutePath().toString(), "-ifNotExists").start();
        } catch (SQLException e) {
            throw new java.net.BindException("database port " + port + ": " + e.getMessage());
        }
        log.info("embedded database listening on {}", tcpUrl("localhost"));
        return this;
    }

    /**
     * The URL this process uses: the file opened in-process, shared with the TCP server. H2 would
     * close it from a JVM shutdown hook of its own, at once, while the node's ordered stop still
     * has events to store; the node closes it last instead.
     */
    public String localUrl() {
        return "jdbc:h2:file:" + baseDir.toAbsolutePath().resolve(NAME) + OPTIONS + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    /** The URL another process on this machine uses to join. */
    public String tcpUrl(String host) {
        return "jdbc:h2:tcp://" + host + ":" + port + "/" + NAME + OPTIONS;
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }
}
