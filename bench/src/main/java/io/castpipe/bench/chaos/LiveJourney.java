package io.castpipe.bench.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.castpipe.common.ffmpeg.Ffmpeg;
import io.castpipe.common.ffmpeg.FfmpegException;
import io.castpipe.common.ffmpeg.FfmpegJob;

/**
 * A streamer on air through the faults, as OBS would be: when the connection drops it connects
 * again a second later. The viewer's side is {@link #fresh()}: the origin serves the channel's
 * playlist and its newest segment is recent.
 */
final class LiveJourney implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** A live playlist whose newest segment began longer ago than this is not live to a viewer. */
    private static final Duration STALE = Duration.ofSeconds(15);
    /** A connection that lasted this long was a broadcast, not a refused attempt. */
    private static final Duration ON_AIR = Duration.ofSeconds(5);

    private final Ffmpeg ffmpeg;
    private final String rtmpUrl;
    private final String playlistUrl;
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicInteger broadcasts = new AtomicInteger();
    private final Thread thread = new Thread(this::run, "chaos-publisher");
    private volatile FfmpegJob publisher;
    private volatile boolean stopped;

    LiveJourney(Ffmpeg ffmpeg, String rtmpUrl, Function<String, String> origin, String channel) {
        this.ffmpeg = ffmpeg;
        this.rtmpUrl = rtmpUrl;
        this.playlistUrl = origin.apply("/live/" + channel + "/360p/index.m3u8");
    }

    void start() {
        thread.start();
    }

    /** How many times the streamer tried to connect (again a second after each failure). */
    int attempts() {
        return attempts.get();
    }

    /** How many of those went on air for more than {@link #ON_AIR} (one more after each drop). */
    int broadcasts() {
        return broadcasts.get();
    }

    private void run() {
        while (!stopped) {
            attempts.incrementAndGet();
            long started = System.nanoTime();
            publisher = ffmpeg.command("chaos-publish").args("-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
                    "-f", "lavfi", "-i", "sine=frequency=440", "-t", "36000", "-c:v", "libx264", "-preset", "ultrafast",
                    "-tune", "zerolatency", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "flv", rtmpUrl).start();
            try {
                publisher.await();
            } catch (FfmpegException e) {
                // the connection dropped (ingest killed) or the stream was refused: connect again
            }
            if (System.nanoTime() - started > ON_AIR.toNanos()) {
                broadcasts.incrementAndGet();
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The origin serves the stream's playlist and its newest segment began within {@link #STALE}. */
    boolean fresh() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(playlistUrl)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return false;
            }
            String newest = null;
            for (String line : r.body().split("\n")) {
                if (line.startsWith("#EXT-X-PROGRAM-DATE-TIME:")) {
                    newest = line.substring(25).trim();
                }
            }
            return newest != null && Duration.between(Instant.parse(newest), Instant.now()).compareTo(STALE) < 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        FfmpegJob p = publisher;
        if (p != null) {
            p.kill("the chaos run is over");
        }
        thread.interrupt();
        thread.join(10_000);
    }
}
