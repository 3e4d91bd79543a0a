package io.castpipe.bench.reload;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The {@link OriginProcess} started as a child JVM of this one, with this JVM's class path. */
final class OriginNode implements AutoCloseable {
    record Stats(int threads, long heapBytes) {
    }

    final int httpPort;
    final String kafkaBootstrap;
    private final Process process;
    private final BufferedReader out;
    private final Writer in;

    private OriginNode(Process process, BufferedReader out, int httpPort, String kafkaBootstrap) {
        this.process = process;
        this.out = out;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.httpPort = httpPort;
        this.kafkaBootstrap = kafkaBootstrap;
    }

    static OriginNode start() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OriginProcess.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("ready ")) {
                String[] words = line.split(" ");
                return new OriginNode(process, out, Integer.parseInt(words[1]), words[2]);
            }
        }
        process.destroyForcibly();
        throw new IOException("the origin process ended before it was ready (exit " + process.exitValue() + ")");
    }

    /** Threads of the origin's JVM and its heap in use after a GC (the GC happens in the origin's JVM now). */
    Stats stats() throws IOException {
        String[] words = ask("stats");
        return new Stats(Integer.parseInt(words[1]), Long.parseLong(words[2]));
    }

    /** CPU time the origin's JVM has used so far, in nanoseconds: what it spent, whatever else ran on the machine. */
    long cpuNanos() throws IOException {
        return Long.parseLong(ask("cpu")[1]);
    }

    private String[] ask(String question) throws IOException {
        in.write(question + "\n");
        in.flush();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith(question + " ")) {
                return line.split(" ");
            }
        }
        throw new IOException("the origin process ended");
    }

    @Override
    public void close() throws Exception {
        in.close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
