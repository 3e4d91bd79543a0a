package io.castpipe.common.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@code /livez} and {@code /readyz} answer. Live: no supervised loop (the dependency probes
 * aside) is wedged or has stopped while the node runs (a process that is not live is worth
 * restarting). Ready: the node has started and is not stopping, every
 * dependency its role needs answered its last probe, within the last {@value #FRESH_SECONDS} s, and every
 * supervised loop runs rather than backs off (a node that is not ready should get no new work, but
 * restarting it would not help: the dependency is what is down). Each dependency is probed every
 * {@value #PROBE_SECONDS} s by a supervised task of its own, so a request never waits on a probe and
 * a hung dependency cannot hold up the others. The answers name dependencies and loops with their
 * state, never an error's text: the log has that.
 */
public final class Health {
    static final int PROBE_SECONDS = 2;
    static final int FRESH_SECONDS = 10;

    /** A status code and the JSON body that goes with it. */
    public record Report(boolean up, Map<String, Object> body) {
    }

    private final Supervisor supervisor;
    private final Map<String, Long> lastSuccessNanos = new ConcurrentHashMap<>();
    private final List<String> dependencies = new ArrayList<>();
    private volatile boolean accepting;

    public Health(Supervisor supervisor) {
        this.supervisor = supervisor;
    }

    /**
     * Probes {@code dependency} every few seconds from now on. Called once the node's start-up
     * check of the same dependency has passed, it counts as up until its first probe says otherwise.
     */
    public void probe(String dependency, Supervisor.Task check) {
        dependencies.add(dependency);
        // A failing probe is logged by its periodic task, once per streak, and again when it recovers.
        Supervisor.Task recorded = () -> {
            try {
                check.run();
            } catch (Exception e) {
                lastSuccessNanos.remove(dependency); // down at once; staleness is for a probe that hangs
                throw e;
            }
            lastSuccessNanos.put(dependency, System.nanoTime());
        };
        lastSuccessNanos.put(dependency, System.nanoTime());
        supervisor.every(probeName(dependency), Duration.ofSeconds(PROBE_SECONDS), Duration.ofSeconds(60), recorded);
    }

    /** Ready from now on, as far as the node itself goes; {@code false} once it starts stopping. */
    public void accepting(boolean accepting) {
        this.accepting = accepting;
    }

    /** A probe that hangs on its dependency makes the node not ready, never not live: restarting would not help. */
    public Report liveness() {
        List<String> probeNames = dependencies.stream().map(Health::probeName).toList();
        List<Supervised.Status> loops = supervisor.statuses().stream().filter(s -> !probeNames.contains(s.name())).toList();
        boolean up = loops.stream().noneMatch(s -> s.wedged() || s.state() == Supervised.State.STOPPED);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "up" : "down");
        body.put("loops", describe(loops));
        return new Report(up, body);
    }

    public Report readiness() {
        List<Supervised.Status> loops = supervisor.statuses();
        Map<String, Object> deps = new LinkedHashMap<>();
        boolean up = accepting;
        for (String d : dependencies) {
            boolean fresh = isFresh(d);
            deps.put(d, fresh ? "up" : "down");
            up &= fresh;
        }
        up &= loops.stream().allMatch(s -> s.state() == Supervised.State.RUNNING && !s.wedged());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "up" : "down");
        body.put("dependencies", deps);
        body.put("loops", describe(loops));
        return new Report(up, body);
    }

    private static String probeName(String dependency) {
        return "probe-" + dependency;
    }

    private boolean isFresh(String dependency) {
        Long at = lastSuccessNanos.get(dependency);
        return at != null && System.nanoTime() - at < Duration.ofSeconds(FRESH_SECONDS).toNanos();
    }

    private static Map<String, Object> describe(List<Supervised.Status> loops) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Supervised.Status s : loops) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("state", s.wedged() ? "wedged" : s.state().name().toLowerCase(java.util.Locale.ROOT));
            one.put("restarts", s.restarts());
            m.put(s.name(), one);
        }
        return m;
    }
}
