package io.castpipe.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

import io.castpipe.common.TestServices;

/**
 * One room served by two chat nodes in two JVMs: the all-in-one {@code ./castpipe} and a
 * {@code ./castpipe chat} joined to its Kafka. Posters on both nodes, readers on both: every
 * message reaches every reader, each sender's in the order sent; a late joiner gets the history;
 * a ban given on one node holds on the other and is announced on both.
 */
class ChatTwoNodesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int PER_SENDER = 30;
    private static final Duration DELIVERY = Duration.ofSeconds(30);

    @Test
    void twoNodesServeOneRoomTogether() throws Exception {
        Path dir = TestServices.tempDir("chat-nodes");
        Map<String, String> env = CastpipeProcess.freshNode(dir.resolve("data"));
        try (CastpipeProcess node = CastpipeProcess.start(env)) {
            node.awaitHealthy(Duration.ofSeconds(60));
            Map<String, String> chatEnv = new HashMap<>(CastpipeProcess.joinValues(node.stdoutText()));
            chatEnv.put("CASTPIPE_HTTP_PORT", String.valueOf(CastpipeProcess.freePort()));
            chatEnv.put("CASTPIPE_CHAT_PORT", String.valueOf(CastpipeProcess.freePort()));
            chatEnv.put("CASTPIPE_DATA_DIR", dir.resolve("chat-node").toString());
            try (CastpipeProcess second = CastpipeProcess.start(chatEnv, "chat")) {
                second.awaitHealthy(Duration.ofSeconds(60));
                int portA = Integer.parseInt(env.get("CASTPIPE_CHAT_PORT"));
                int portB = Integer.parseInt(chatEnv.get("CASTPIPE_CHAT_PORT"));
                String base = "http://127.0.0.1:" + node.httpPort;
                String admin = node.stdoutText().replaceAll("(?s).*Admin\\s+token (\\S+).*", "$1");
                String owner = post(base + "/api/users", admin, "{\"name\":\"owner\"}").get("token").asText();
                JsonNode viewerUser = post(base + "/api/users", admin, "{\"name\":\"viewer\"}");
                post(base + "/api/channels", owner, "{\"name\":\"two-nodes\"}");
                String ownerChat = post(base + "/api/chat/token", owner, "{\"channel\":\"two-nodes\"}").get("token").asText();
                String viewerChat = post(base + "/api/chat/token", viewerUser.get("token").asText(),
                        "{\"channel\":\"two-nodes\"}").get("token").asText();

                try (ChatSocket ownerOnA = ChatSocket.join(portA, "two-nodes", ownerChat);
                     ChatSocket viewerOnB = ChatSocket.join(portB, "two-nodes", viewerChat);
                     ChatSocket readerOnA = ChatSocket.join(portA, "two-nodes", null);
                     ChatSocket readerOnB = ChatSocket.join(portB, "two-nodes", null)) {
                    List<ChatSocket> everyone = List.of(ownerOnA, viewerOnB, readerOnA, readerOnB);
                    for (ChatSocket s : everyone) {
                        s.await("the history frame on join", DELIVERY, c -> !c.frames("history").isEmpty());
                    }
                    // Rooms slow fast posters down (rate limits): send at a pace a person could.
                    for (int i = 0; i < PER_SENDER; i++) {
                        ownerOnA.say("owner " + i);
                        viewerOnB.say("viewer " + i);
                        Thread.sleep(1_100);
                    }
                    for (ChatSocket s : everyone) {
                        s.await("all " + 2 * PER_SENDER + " messages", DELIVERY,
                                c -> c.frames("message").size() >= 2 * PER_SENDER);
                    }
                    for (ChatSocket s : everyone) {
                        assertThat(texts(s, "owner ")).as("the owner's messages, in order, none lost")
                                .isEqualTo(expected("owner "));
                        assertThat(texts(s, "viewer ")).as("the viewer's messages, in order, none lost")
                                .isEqualTo(expected("viewer "));
                        assertThat(s.frames("error")).isEmpty();
                    }

                    try (ChatSocket late = ChatSocket.join(portB, "two-nodes", null)) {
                        late.await("history", DELIVERY, c -> !c.frames("history").isEmpty());
                        JsonNode history = late.frames("history").get(0).get("messages");
                        assertThat(history.size()).isEqualTo(50);
                        assertThat(history.get(history.size() - 1).get("text").asText())
                                .isIn("owner " + (PER_SENDER - 1), "viewer " + (PER_SENDER - 1));
                    }

                    String viewerId = viewerOnB.frames("message").stream()
                            .filter(f -> f.get("text").asText().startsWith("viewer ")).findFirst().orElseThrow()
                            .get("userId").asText();
                    ownerOnA.send("{\"type\":\"ban\",\"user\":\"" + viewerId + "\"}");
                    for (ChatSocket s : everyone) {
                        s.await("the ban announced", DELIVERY, c -> !c.frames("ban").isEmpty());
                    }
                    viewerOnB.say("let me back in");
                    viewerOnB.await("an error for the banned poster", DELIVERY, c -> !c.frames("error").isEmpty());
                    ownerOnA.say("after the ban");
                    readerOnB.await("the owner's message after the ban", DELIVERY,
                            c -> c.frames("message").stream().anyMatch(f -> f.get("text").asText().equals("after the ban")));
                    assertThat(readerOnB.frames("message")).noneMatch(f -> f.get("text").asText().equals("let me back in"));
                }
            }
        }
    }

    private static List<String> texts(ChatSocket s, String prefix) {
        return s.frames("message").stream().map(f -> f.get("text").asText()).filter(t -> t.startsWith(prefix)).toList();
    }

    private static List<String> expected(String prefix) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < PER_SENDER; i++) {
            texts.add(prefix + i);
        }
        return texts;
    }

    private static JsonNode post(String url, String token, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isBetween(200, 201);
        return JSON.readTree(r.body());
    }
}
