package io.castpipe.common.ffmpeg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;

import io.castpipe.common.config.ConfigException;
import io.castpipe.common.config.Setting;

/**
 * Finds the ffmpeg binary: the configured path when there is one, else the static build that
 * ships inside jave2's native binary artifact, unpacked once into the data folder.
 */
public final class FfmpegLocator {
    private static final String BUNDLED = "ws/schild/jave/nativebin/ffmpeg-amd64";

    private FfmpegLocator() {
    }

    public static Path locate(Optional<String> configured, Path dataDir) {
        if (configured.isPresent()) {
            Path p = Path.of(configured.get());
            if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
                throw new ConfigException(Setting.FFMPEG.env() + "=" + configured.get()
                        + " is not an executable file; point it at ffmpeg or unset it to use the bundled one");
            }
            return p;
        }
        return unpackBundled(dataDir.resolve("bin"));
    }

    private static Path unpackBundled(Path binDir) {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        var resource = FfmpegLocator.class.getClassLoader().getResource(BUNDLED);
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64")) || resource == null) {
            throw new ConfigException("no bundled ffmpeg for " + os + "/" + arch
                    + "; install ffmpeg and set " + Setting.FFMPEG.env() + " to its path");
        }
        Path target = binDir.resolve("ffmpeg");
        try {
            long size = resource.openConnection().getContentLengthLong();
            if (Files.isExecutable(target) && Files.size(target) == size) {
                return target;
            }
            Files.createDirectories(binDir);
            Path tmp = Files.createTempFile(binDir, "ffmpeg", ".part");
            try (InputStream in = resource.openStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            if (!tmp.toFile().setExecutable(true)) {
                throw new IOException("cannot make " + tmp + " executable");
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new ConfigException("cannot unpack ffmpeg into " + binDir + " (" + e.getMessage()
                    + "); make the data folder writable or set " + Setting.FFMPEG.env(), e);
        }
    }
}
