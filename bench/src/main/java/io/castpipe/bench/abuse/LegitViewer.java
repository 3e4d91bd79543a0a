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

/**
 * A viewer as a player behaves, from 127.0.0.1: it reloads a live media playlist twice a second
 * and fetches each new segment. Per reload it notes how long the answer took and how far the
 * newest listed media is behind the wall clock (now minus the program date time at the end of
 * the last segment), the figures a hostile client must not spoil.
 */
public final class LegitViewer implements AutoCloseable {
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

    /**
     * The newest whole segment the playlist lists and when its media ends by the program date
     * time (the date of the segment that carries one, plus the durations since); an LL-HLS
     * playlist's open segment, parts only, does not count.
     */
    private Sample measure(String playlist, long took) throws Exception {
        Instant date = null;
        Instant newestEnd = null;
        String newest = null;
        double duration = -1;
        for (String line : playlist.split("\n")) {
            if (line.startsWith("#EXT-X-PROGRAM-DATE-TIME:")) {
                date = OffsetDateTime.parse(line.substring("#EXT-X-PROGRAM-DATE-TIME:".length()).trim()).toInstant();
            } else if (line.startsWith("#EXTINF:")) {
                duration = Double.parseDouble(line.substring(8, line.indexOf(',')));
            } else if (!line.isBlank() && !line.startsWith("#") && duration >= 0) {
                newest = line.trim();
                if (date != null) {
                    date = date.plusMillis(Math.round(duration * 1000));
                    newestEnd = date;
                }
                duration = -1;
            }
        }
        long behind = newestEnd == null ? -1 : Duration.between(newestEnd, Instant.now()).toMillis();
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
