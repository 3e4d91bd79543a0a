package io.castpipe.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

/**
 * What a process under test answers on stdin, for {@link ServerProcess}: each {@code stats} line with {@code stats <threads> <heap-bytes-used-after-gc>},
 * each {@code cpu} line with {@code cpu <nanoseconds of CPU this process has used>}; any other
 * line is the process's own command.
 */
public final class StdinCommands {
    /** A process's own commands. */
    public interface Own {
        /** Runs {@code line} if it is one of this process's commands; false if it is not. */
        boolean run(String line) throws Exception;
    }

    public static final Own NONE = line -> false;

    private StdinCommands() {
    }

    /** Answers stdin line by line until it ends. */
    public static void answerUntilEnd(Own own) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.equals("cpu")) {
                long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime();
                reply("cpu " + cpu);
            } else if (line.equals("stats")) {
                System.gc();
                long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                reply("stats " + ManagementFactory.getThreadMXBean().getThreadCount() + " " + heap);
            } else if (!own.run(line)) {
                System.err.println("unknown command on stdin: " + line);
            }
        }
    }

    public static void reply(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
