package io.castpipe.bench.chat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.castpipe.bench.ScratchDirectory;
import io.castpipe.bench.StdinCommands;
import io.castpipe.chat.ChatService;
import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.metrics.Metrics;
import io.castpipe.common.net.FreePorts;
import io.castpipe.common.node.NodeContext;
import io.castpipe.embedded.EmbeddedKafka;

/**
 * A chat node under test, in a JVM of its own: a real {@link ChatService}, with the embedded Kafka
 * broker in this JVM ({@code embedded}) or joined to another node's (its bootstrap address).
 * Arguments: {@code embedded|BOOTSTRAP SIGNING-SECRET}. Prints {@code ready <chat-port>
 * <kafka-bootstrap>} once it serves, then answers the {@link StdinCommands} until stdin ends.
 */
public final class ChatNodeProcess {
    static final String EMBEDDED_KAFKA = "embedded";
    static final String TOPIC_PREFIX = "bench.";

    private ChatNodeProcess() {
    }

    public static void main(String[] args) throws Exception {
        try (ScratchDirectory dir = new ScratchDirectory("castpipe-bench-chat")) {
            if (args[0].equals(EMBEDDED_KAFKA)) {
                int[] ports = FreePorts.take(2);
                try (EmbeddedKafka broker = new EmbeddedKafka(dir.path.resolve("kafka"), "127.0.0.1", ports[0], ports[1])
                        .start()) {
                    serve(dir.path, broker.bootstrapServers(), args[1], true);
                }
            } else {
                serve(dir.path, args[0], args[1], false);
            }
        }
    }

    private static void serve(Path dir, String bootstrap, String signingSecret, boolean createTopics) throws Exception {
        int port = FreePorts.take(1)[0];
        KafkaSettings kafka = new KafkaSettings(bootstrap, "bench-chat", Duration.ofSeconds(15));
        Topics topics = new Topics(TOPIC_PREFIX);
        if (createTopics) {
            topics.ensureCreated(kafka, 1, (short) 1);
        }
        // Every simulated viewer connects from 127.0.0.1: the per-address limit would refuse all but the first 100.
        CastpipeConfig config = CastpipeConfig.from(Map.of("CASTPIPE_CHAT_PORT", String.valueOf(port),
                "CASTPIPE_BIND_ADDRESS", "127.0.0.1", "CASTPIPE_CHAT_MAX_CONNECTIONS_PER_ADDRESS", "1000000"));
        try (Metrics metrics = new Metrics("chat")) {
            NodeContext ctx = new NodeContext(config, Files.createDirectories(dir.resolve("data")), kafka, topics, null, null,
                    null, null, metrics, null, signingSecret);
            try (ChatService chat = new ChatService(ctx)) {
                chat.start();
                StdinCommands.reply("ready " + port + " " + bootstrap);
                StdinCommands.answerUntilEnd(StdinCommands.NONE);
            }
        }
    }
}
