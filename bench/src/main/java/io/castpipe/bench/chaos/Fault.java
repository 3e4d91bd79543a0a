package io.castpipe.bench.chaos;

import java.time.Duration;

/** One fault the chaos run causes for real, and how it went. */
enum Fault {
    KAFKA_DOWN, S3_DOWN, DATABASE_DOWN,
    KILL_API, KILL_TRANSCODER, KILL_CHAT, KILL_INGEST, KILL_ORIGIN;

    /** What the run saw of one fault: recovery is null when the journeys did not all come back in time. */
    record Outcome(Fault fault, Duration away, boolean noticed, Duration recovery) {
        @Override
        public String toString() {
            String held = fault.isKill() ? "killed, started again" : "away " + away.toSeconds() + " s";
            return String.format("%-16s %-22s %s; recovered %s", fault.label(), held,
                    noticed ? "/readyz showed it" : "/readyz did NOT show it",
                    recovery == null ? "NOT within the limit" : String.format("%.1f s after", recovery.toMillis() / 1000.0));
        }
    }

    boolean isKill() {
        return name().startsWith("KILL_");
    }

    String label() {
        return name().toLowerCase().replace('_', ' ');
    }

    /**
     * Causes the fault and ends it: a dependency stopped for {@code away} then started again, or a
     * process SIGKILLed then started again at once. Returns whether {@code /readyz} of some role
     * said so while it lasted (a killed process answers nothing, which a load balancer reads the same way).
     */
    boolean cause(Cluster cluster, Duration away, java.util.Random random) throws Exception {
        Cluster.Role killed = isKill() ? role(random) : null;
        switch (this) {
            case KAFKA_DOWN -> cluster.stopKafka();
            case S3_DOWN -> cluster.stopS3();
            case DATABASE_DOWN -> cluster.stopDatabase();
            default -> cluster.kill(killed);
        }
        boolean noticed = false;
        long until = System.nanoTime() + (isKill() ? Duration.ofSeconds(1) : away).toNanos();
        while (System.nanoTime() < until) {
            noticed |= !cluster.notReady().isEmpty();
            Thread.sleep(500);
        }
        switch (this) {
            case KAFKA_DOWN -> cluster.startKafka();
            case S3_DOWN -> cluster.startS3();
            case DATABASE_DOWN -> cluster.startDatabase();
            default -> cluster.startRole(killed);
        }
        return noticed;
    }

    private Cluster.Role role(java.util.Random random) {
        return switch (this) {
            case KILL_API -> Cluster.Role.API;
            case KILL_TRANSCODER -> random.nextBoolean() ? Cluster.Role.TRANSCODER_1 : Cluster.Role.TRANSCODER_2;
            case KILL_CHAT -> Cluster.Role.CHAT;
            case KILL_INGEST -> Cluster.Role.INGEST;
            case KILL_ORIGIN -> Cluster.Role.ORIGIN;
            default -> throw new IllegalStateException(this + " kills no process");
        };
    }
}
