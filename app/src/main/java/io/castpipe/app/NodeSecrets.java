package io.castpipe.app;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;

/**
 * Secrets a node generates at first start and keeps in its data folder (readable by its owner
 * only), so that a restart on the same data finds the same admin token and embedded credentials.
 */
final class NodeSecrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final Properties values = new Properties();

    private NodeSecrets(Path file) {
        this.file = file;
    }

    static NodeSecrets load(Path dataDir) throws IOException {
        NodeSecrets s = new NodeSecrets(dataDir.resolve("secrets.properties"));
        if (Files.exists(s.file)) {
            try (Reader r = Files.newBufferedReader(s.file)) {
                s.values.load(r);
            }
        }
        return s;
    }

    /** The stored value of {@code name}, generated and saved the first time it is asked for. */
    String getOrCreate(String name) throws IOException {
        String v = values.getProperty(name);
        if (v == null) {
            v = newToken();
            values.setProperty(name, v);
            save();
        }
        return v;
    }

    private void save() throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(tmp)) {
            values.store(w, "Castpipe node secrets; keep private");
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static String newToken() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
