package io.castpipe.bench.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Someone uploading a short video every {@link #EVERY}, through the faults: a video the API took
 * (its source answered 200) must become ready, once; one refused with an error is the
 * uploader's to send again and is only counted.
 */
final class UploadJourney implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration EVERY = Duration.ofSeconds(15);

    private final Function<String, String> api;
    private final String token;
    private final byte[] clip;
    private final Map<String, String> accepted = new ConcurrentHashMap<>(); // id -> last status seen
    private final AtomicInteger refused = new AtomicInteger();
    private final Thread thread = new Thread(this::run, "chaos-uploads");
    private volatile boolean stopped;

    UploadJourney(Function<String, String> api, String token, byte[] clip) {
        this.api = api;
        this.token = token;
        this.clip = clip;
    }

    void start() {
        thread.start();
    }

    int refused() {
        return refused.get();
    }

    List<String> accepted() {
        return List.copyOf(accepted.keySet());
    }

    private void run() {
        int n = 0;
        while (!stopped) {
            try {
                HttpResponse<String> created = send("POST", "/api/videos", "application/json",
                        JSON.writeValueAsBytes(Map.of("title", "chaos " + n++, "visibility", "public")));
                if (created.statusCode() != 201) {
                    refused.incrementAndGet();
                } else {
                    String id = JSON.readTree(created.body()).get("id").asText();
                    HttpResponse<String> source = send("PUT", "/api/videos/" + id + "/source", "video/mp4", clip);
                    if (source.statusCode() == 200) {
                        accepted.put(id, "queued");
                    } else {
                        refused.incrementAndGet();
                    }
                }
            } catch (IOException e) {
                refused.incrementAndGet(); // the API process is down: a refusal the uploader sees
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Waits until every accepted video is ready or failed, or {@code limit} passes; returns each one's status. */
    Map<String, String> settle(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            boolean open = false;
            for (String id : accepted.keySet()) {
                String status = accepted.get(id);
                if (!status.equals("ready") && !status.equals("failed")) {
                    accepted.put(id, status(id));
                    open |= !accepted.get(id).equals("ready") && !accepted.get(id).equals("failed");
                }
            }
            if (!open) {
                break;
            }
            Thread.sleep(1000);
        }
        return Map.copyOf(accepted);
    }

    private String status(String id) throws InterruptedException {
        try {
            HttpResponse<String> r = send("GET", "/api/videos/" + id, null, null);
            if (r.statusCode() != 200) {
                return "unknown (" + r.statusCode() + ")";
            }
            JsonNode video = JSON.readTree(r.body());
            return video.get("status").asText();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private HttpResponse<String> send(String method, String path, String contentType, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.apply(path))).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(70_000);
    }
}
