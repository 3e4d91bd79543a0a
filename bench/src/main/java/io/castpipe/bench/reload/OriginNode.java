package io.castpipe.bench.reload;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A server under test ({@link OriginProcess}, {@link FloorProcess}) started as a child JVM of this
 * one, with this JVM's class path. It prints {@code ready <http-port> [<kafka-bootstrap>]} once
 * it serves and answers the {@link StdinCommands}.
 */
final class OriginNode implements AutoCloseable {
    record Stats(int threads, long heapBytes) {
    }

    final int httpPort;
    private final String kafkaBootstrap;
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

    static OriginNode start(Class<?> main) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), main.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("ready ")) {
                String[] words = line.split(" ");
                return new OriginNode(process, out, Integer.parseInt(words[1]), words.length > 2 ? words[2] : null);
            }
        }
        process.destroyForcibly();
        throw new IOException(main.getSimpleName() + " ended before it was ready (exit " + process.exitValue() + ")");
    }

    String kafkaBootstrap() {
        if (kafkaBootstrap == null) {
            throw new IllegalStateException("this server has no Kafka");
        }
        return kafkaBootstrap;
    }

    /** Threads of the server's JVM and its heap in use after a GC (the GC happens in the server's JVM now). */
    Stats stats() throws IOException {
        String[] words = ask("stats", "stats");
        return new Stats(Integer.parseInt(words[1]), Long.parseLong(words[2]));
    }

    /** CPU time the server's JVM has used so far, in nanoseconds: what it spent, whatever else ran on the machine. */
    long cpuNanos() throws IOException {
        return Long.parseLong(ask("cpu", "cpu")[1]);
    }

    /** Sends {@code command} and returns the words of the next line that starts with {@code replyWord}. */
    String[] ask(String command, String replyWord) throws IOException {
        in.write(command + "\n");
        in.flush();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith(replyWord + " ")) {
                return line.split(" ");
            }
        }
        throw new IOException("the server process ended");
    }

    @Override
    public void close() throws Exception {
        in.close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
