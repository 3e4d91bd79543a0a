package io.castpipe.common.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The curl command line as an HTTP/2 client: unlike the JDK's client it speaks cleartext HTTP/2
 * with prior knowledge and shows which connection each transfer used.
 */
public final class Curl implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;

    private Curl(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Whether a curl with HTTP/2 support is on the PATH. */
    public static boolean speaksHttp2() {
        try {
            Process p = new ProcessBuilder("curl", "--version").redirectErrorStream(true).start();
            String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && version.contains("HTTP2");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Starts {@code curl ARGS} printing nothing but what ARGS ask for and errors, which go to stdout. */
    public static Curl start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--no-progress-meter", "--max-time", "30"));
        command.addAll(List.of(args));
        return new Curl(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** Runs {@code curl ARGS} to the end and returns what it printed. */
    public static String run(String... args) throws Exception {
        try (Curl curl = start(args)) {
            String all = curl.rest();
            if (!curl.process.waitFor(40, TimeUnit.SECONDS)) {
                throw new AssertionError("curl did not finish: " + all);
            }
            return all;
        }
    }

    /**
     * The next line curl prints, or null at its end. Curl buffers its stdout when it is not a
     * terminal, so a line wanted at once must go to stderr ({@code -w "%{stderr}…"}).
     */
    public String nextLine() throws IOException {
        return out.readLine();
    }

    public String rest() throws IOException {
        StringBuilder b = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            b.append(line).append('\n');
        }
        return b.toString();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
