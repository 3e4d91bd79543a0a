package io.castpipe.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The tus requests the process tests send to resume an upload: a PATCH at an offset and the HEAD that tells it. */
final class TusRequests {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TusRequests() {
    }

    static HttpResponse<String> patch(URI upload, String token, long offset, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(upload).header("Authorization", "Bearer " + token)
                .header("Tus-Resumable", "1.0.0").header("Upload-Offset", String.valueOf(offset))
                .header("Content-Type", "application/offset+octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The upload's offset as the server has it. */
    static long offset(URI upload, String token) throws Exception {
        HttpResponse<Void> head = HTTP.send(HttpRequest.newBuilder(upload).header("Authorization", "Bearer " + token)
                .header("Tus-Resumable", "1.0.0").method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
        return Long.parseLong(head.headers().firstValue("Upload-Offset").orElseThrow());
    }
}
