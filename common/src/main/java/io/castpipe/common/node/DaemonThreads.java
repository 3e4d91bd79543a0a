package io.castpipe.common.node;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories for a role's background executors: daemon threads, named for thread dumps and logs. */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    /** For a single-thread executor: its one thread is called {@code name}. */
    public static ThreadFactory named(String name) {
        return r -> daemon(r, name);
    }

    /** For a pool: {@code prefix1}, {@code prefix2}, … */
    public static ThreadFactory numbered(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> daemon(r, prefix + n.incrementAndGet());
    }

    /** A daemon thread called {@code name}, started on {@code body}. */
    public static Thread start(String name, Runnable body) {
        Thread t = daemon(body, name);
        t.start();
        return t;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
