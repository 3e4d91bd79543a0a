package io.castpipe.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** Castpipe's watch page in headless Chromium through nginx, left open while the roles die. */
final class WatchPageViewer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path output;
    private final long started;
    private long stopped;

    private WatchPageViewer(Process process, Path output, long started) {
        this.process = process;
        this.output = output;
        this.started = started;
    }

    static WatchPageViewer open(String base, String channel, Path work) throws Exception {
        BrowserTests.assumeBrowser("the watch page through the topology");
        Path output = work.resolve("browser.out");
        Process p = new ProcessBuilder("node", "watch-through-faults.mjs", base, channel)
                .directory(BrowserTests.SCRIPTS.toFile()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!Files.readString(output).contains("watching")) {
            assertThat(p.isAlive()).as("the browser: %s", Files.readString(output)).isTrue();
            assertThat(System.nanoTime()).as("the browser playing: %s", Files.readString(output)).isLessThan(deadline);
            Thread.sleep(200);
        }
        return new WatchPageViewer(p, output, System.nanoTime());
    }

    double watchedSeconds() {
        return ((stopped == 0 ? System.nanoTime() : stopped) - started) / 1e9;
    }

    /** Its input closed, the script reports what it saw and closes the browser. */
    JsonNode close() throws Exception {
        stopped = System.nanoTime();
        process.getOutputStream().close();
        assertThat(process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("the browser closed").isTrue();
        String out = Files.readString(output);
        String line = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no result from the browser: " + out));
        return JSON.readTree(line);
    }

    void kill() {
        process.destroyForcibly();
    }
}
