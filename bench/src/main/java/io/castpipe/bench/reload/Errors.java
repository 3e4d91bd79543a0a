package io.castpipe.bench.reload;

import java.util.Map;
import java.util.TreeMap;

/** Failures seen by the clients, counted by kind. */
final class Errors {
    private static final int MAX_KINDS = 20;
    private final Map<String, Integer> counts = new TreeMap<>();
    private int total;

    synchronized void add(String why) {
        total++;
        if (counts.containsKey(why) || counts.size() < MAX_KINDS) {
            counts.merge(why, 1, Integer::sum);
        }
    }

    synchronized int total() {
        return total;
    }

    @Override
    public synchronized String toString() {
        return total == 0 ? "none" : total + " " + counts;
    }
}
