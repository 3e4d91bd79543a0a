package io.castpipe.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** Plain java.net.http against the node, with the JSON a test wants to look at. */
final class HttpTestClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final String baseUrl;

    HttpTestClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    Request request(String method, String path) {
        return new Request(method, path.startsWith("http") ? path : baseUrl + path);
    }

    Response get(String path, String token) throws Exception {
        return request("GET", path).token(token).send();
    }

    Response post(String path, String token, Object json) throws Exception {
        return request("POST", path).token(token).json(json).send();
    }

    Response patch(String path, String token, Object json) throws Exception {
        return request("PATCH", path).token(token).json(json).send();
    }

    Response delete(String path, String token) throws Exception {
        return request("DELETE", path).token(token).send();
    }

    /** Creates a user and returns its token. */
    String newUser(String name) throws Exception {
        Response r = post("/api/users", ApiTestNode.ADMIN_TOKEN, java.util.Map.of("name", name));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("token").asText();
    }

    /** Creates a video and returns its id. */
    String newVideo(String token, String title, String visibility) throws Exception {
        Response r = post("/api/videos", token, java.util.Map.of("title", title, "visibility", visibility));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    final class Request {
        private final HttpRequest.Builder builder;
        private final String method;
        private HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();

        Request(String method, String url) {
            this.method = method;
            this.builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        }

        Request token(String token) {
            if (token != null) {
                builder.header("Authorization", "Bearer " + token);
            }
            return this;
        }

        Request header(String name, String value) {
            builder.header(name, value);
            return this;
        }

        Request json(Object value) throws IOException {
            builder.header("Content-Type", "application/json");
            body = HttpRequest.BodyPublishers.ofByteArray(value instanceof String s ? s.getBytes() : JSON.writeValueAsBytes(value));
            return this;
        }

        Request body(byte[] bytes) {
            body = HttpRequest.BodyPublishers.ofByteArray(bytes);
            return this;
        }

        Request body(HttpRequest.BodyPublisher publisher) {
            body = publisher;
            return this;
        }

        Response send() throws Exception {
            HttpResponse<String> r = CLIENT.send(builder.method(method, body).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r);
        }
    }

    record Response(HttpResponse<String> raw) {
        int status() {
            return raw.statusCode();
        }

        String body() {
            return raw.body();
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        JsonNode json() throws IOException {
            return JSON.readTree(raw.body());
        }

        /** The API's error shape, with its code. */
        String errorCode() throws IOException {
            JsonNode error = json().get("error");
            assertThat(error).as("error body: " + raw.body()).isNotNull();
            assertThat(error.get("message").asText()).isNotBlank();
            return error.get("code").asText();
        }
    }
}
