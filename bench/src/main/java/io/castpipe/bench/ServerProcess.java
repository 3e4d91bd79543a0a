package io.castpipe.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server under test (the origin, the floor, a chat node) started as a child JVM of this one,
 * with this JVM's class path. It prints {@code ready <port> [<kafka-bootstrap>]} once it serves
 * and answers the {@link StdinCommands}.
 */
public final class ServerProcess implements AutoCloseable {
    public record Stats(int threads, long heapBytes) {
    }

    public final int port;
    private final String kafkaBootstrap;
    private final Process process;
    private final BufferedReader out;
    private final Writer in;

    private ServerProcess(Process process, BufferedReader out, int port, String kafkaBootstrap) {
        this.process = process;
        this.out = out;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.port = port;
        this.kafkaBootstrap = kafkaBootstrap;
    }

    public static ServerProcess start(Class<?> main, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("ready ")) {
                String[] words = line.split(" ");
                return new ServerProcess(process, out, Integer.parseInt(words[1]), words.length > 2 ? words[2] : null);
            }
        }
        process.destroyForcibly();
        throw new IOException(main.getSimpleName() + " ended before it was ready (exit " + process.exitValue() + ")");
    }

    public String kafkaBootstrap() {
        if (kafkaBootstrap == null) {
            throw new IllegalStateException("this server has no Kafka");
        }
        return kafkaBootstrap;
    }

    /** Threads of the server's JVM and its heap in use after a GC (the GC happens in the server's JVM now). */
    public Stats stats() throws IOException {
        String[] words = ask("stats", "stats");
        return new Stats(Integer.parseInt(words[1]), Long.parseLong(words[2]));
    }

    /** CPU time the server's JVM has used so far, in nanoseconds: what it spent, whatever else ran on the machine. */
    public long cpuNanos() throws IOException {
        return Long.parseLong(ask("cpu", "cpu")[1]);
    }

    /** Sends {@code command} and returns the words of the next line that starts with {@code replyWord}. */
    public String[] ask(String command, String replyWord) throws IOException {
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
