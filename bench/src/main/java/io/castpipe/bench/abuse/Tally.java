package io.castpipe.bench.abuse;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What became of one kind of hostile connection: how many were opened, how many the server
 * refused at once (closed within {@link #AT_ONCE_MILLIS} or answered a refusal), how many it
 * closed later and after how long, how many it still holds, and the first line of each answer.
 */
public final class Tally {
    static final long AT_ONCE_MILLIS = 1000;

    private final String name;
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger failedToConnect = new AtomicInteger();
    private final List<Long> closedAfterMillis = Collections.synchronizedList(new ArrayList<>());
    private final ConcurrentHashMap<String, AtomicInteger> answers = new ConcurrentHashMap<>();

    public Tally(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    void countOpened() {
        opened.incrementAndGet();
    }

    void countFailedToConnect() {
        failedToConnect.incrementAndGet();
    }

    void countClosed(long afterMillis) {
        closedAfterMillis.add(afterMillis);
    }

    void countAnswer(String firstLine) {
        answers.computeIfAbsent(firstLine, k -> new AtomicInteger()).incrementAndGet();
    }

    public int opened() {
        return opened.get();
    }

    /** Connections the server took no part in: refused by the kernel's backlog or reset before connect completed. */
    public int failedToConnect() {
        return failedToConnect.get();
    }

    public int closedWithin(long millis) {
        synchronized (closedAfterMillis) {
            return (int) closedAfterMillis.stream().filter(m -> m <= millis).count();
        }
    }

    public int closed() {
        return closedAfterMillis.size();
    }

    public int stillOpen() {
        return opened.get() - closed();
    }

    /** The given percentile (0-100) of how long the server took to close, in ms; -1 if none closed. */
    public long closeMillis(int percentile) {
        List<Long> sorted;
        synchronized (closedAfterMillis) {
            sorted = new ArrayList<>(closedAfterMillis);
        }
        if (sorted.isEmpty()) {
            return -1;
        }
        Collections.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
    }

    /** How many answers began with {@code prefix} (a status line such as "HTTP/1.1 429"). */
    public int answersStartingWith(String prefix) {
        return answers.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToInt(e -> e.getValue().get()).sum();
    }

    public String summary() {
        return String.format("%-28s opened %5d  refused at once %5d  closed later %5d (p50 %6d ms, max %6d ms)  held %5d  answers %s",
                name, opened(), closedWithin(AT_ONCE_MILLIS), closed() - closedWithin(AT_ONCE_MILLIS),
                closeMillis(50), closeMillis(100), stillOpen(), answers.isEmpty() ? "-" : answersText());
    }

    private String answersText() {
        StringBuilder s = new StringBuilder();
        answers.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(v.get()).append("× ").append(k));
        return s.toString();
    }
}
