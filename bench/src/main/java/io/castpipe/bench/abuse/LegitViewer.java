package io.castpipe.bench.abuse;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A viewer as a player behaves, from 127.0.0.1: it reloads a live media playlist twice a second
 * and fetches each new segment. Per reload it notes how long the answer took and how far the
 * newest listed media is behind the wall clock (now minus the program date time at the end of
 * the last segment), the figures a hostile client must not spoil.
 */
public final class LegitViewer implements AutoCloseable {
    private static final Pattern PDT = Pattern.compile("#EXT-X-PROGRAM-DATE-TIME:(\\S+)");
    private static final Pattern SEGMENT = Pattern.compile("#EXTINF:([0-9.]+),[^\\n]*\\n([^#\\s][^\\n]*)");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String playlistUrl;
    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int failures;
    private String lastSegment;

    /** One reload: when, how long it took (ms), how far behind the newest media was (ms; -1 unknown), and whether a new segment came. */
    public record Sample(Instant at, long requestMillis, long behindMillis, boolean newSegment) {
    }

    public LegitViewer(String playlistUrl) {
        this.playlistUrl = playlistUrl;
        this.thread = new Thread(this::run, "legit-viewer");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            long start = System.nanoTime();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(playlistUrl))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                long took = (System.nanoTime() - start) / 1_000_000;
                if (r.statusCode() != 200) {
                    failures++;
                } else {
                    samples.add(measure(r.body(), took));
                }
                Thread.sleep(Math.max(0, 500 - took));
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                failures++;
            }
        }
    }

    private Sample measure(String playlist, long took) throws Exception {
        Matcher pdt = PDT.matcher(playlist);
        Instant base = null;
        int baseAt = -1;
        while (pdt.find()) {
            base = OffsetDateTime.parse(pdt.group(1)).toInstant();
            baseAt = pdt.end();
        }
        long behind = -1;
        String newest = null;
        if (base != null) {
            Matcher seg = SEGMENT.matcher(playlist);
            double seconds = 0;
            seg.region(baseAt, playlist.length());
            while (seg.find()) {
                seconds += Double.parseDouble(seg.group(1));
                newest = seg.group(2).trim();
            }
            behind = Duration.between(base.plusMillis(Math.round(seconds * 1000)), Instant.now()).toMillis();
        }
        boolean fresh = newest != null && !newest.equals(lastSegment);
        if (fresh) {
            lastSegment = newest;
            http.send(HttpRequest.newBuilder(URI.create(playlistUrl).resolve(newest)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding());
        }
        return new Sample(Instant.now(), took, behind, fresh);
    }

    /** Reloads from {@code since} on. */
    public List<Sample> samplesSince(Instant since) {
        synchronized (samples) {
            return samples.stream().filter(s -> !s.at().isBefore(since)).toList();
        }
    }

    public int failures() {
        return failures;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5000);
    }
}
