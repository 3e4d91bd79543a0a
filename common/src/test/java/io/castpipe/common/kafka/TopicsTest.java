package io.castpipe.common.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.castpipe.common.TestServices;
import io.castpipe.common.config.ConfigException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Topic setup and a produce/consume round trip through the real in-process broker. */
class TopicsTest {

    @Test
    void createsEveryTopicUnderThePrefixAndIsIdempotent() throws Exception {
        KafkaSettings kafka = new KafkaSettings(TestServices.kafka().bootstrapServers(), "test", Duration.ofSeconds(15));
        Topics topics = new Topics("t1.");
        topics.ensureCreated(kafka, 3, (short) 1);
        topics.ensureCreated(kafka, 3, (short) 1);

        try (Admin admin = Admin.create(kafka.producer("admin-check"))) {
            Set<String> names = admin.listTopics().names().get();
            for (Topic t : Topic.values()) {
                assertThat(names).contains("t1." + t.baseName());
            }
            var described = admin.describeTopics(List.of("t1.media.live")).allTopicNames().get();
            assertThat(described.get("t1.media.live").partitions()).hasSize(3);
        }
    }

    @Test
    void recordsProducedUnderAKeyAreConsumedInOrderByAGroup() throws Exception {
        KafkaSettings kafka = new KafkaSettings(TestServices.kafka().bootstrapServers(), "test", Duration.ofSeconds(15));
        Topics topics = new Topics("t2.");
        topics.ensureCreated(kafka, 4, (short) 1);
        String topic = topics.name(Topic.VOD_JOBS);

        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producer("jobs"))) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>(topic, "video-" + (i % 5), ("job " + i).getBytes(UTF_8))).get();
            }
        }

        List<ConsumerRecord<String, byte[]>> received = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.consumer("workers"))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.size() < 50 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
            consumer.commitSync();
        }

        assertThat(received).hasSize(50);
        List<String> forVideo3 = received.stream().filter(r -> r.key().equals("video-3"))
                .map(r -> new String(r.value(), UTF_8)).toList();
        assertThat(forVideo3).containsExactly("job 3", "job 8", "job 13", "job 18", "job 23",
                "job 28", "job 33", "job 38", "job 43", "job 48");
    }

    @Test
    void unreachableBrokerFailsWithAnActionableMessage() {
        KafkaSettings nowhere = new KafkaSettings("127.0.0.1:" + TestServices.freePort(), "test", Duration.ofSeconds(2));
        assertThatThrownBy(() -> new Topics("").ensureCreated(nowhere, 1, (short) 1))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("did not answer within 2 s")
                .hasMessageContaining("CASTPIPE_KAFKA_BOOTSTRAP");
    }

    @Test
    void withThreeReplicasAWriteNeedsTwoAndOneBrokerMayBeLost() {
        assertThat(Topics.topicConfig(Topic.VOD_JOBS, (short) 3)).containsEntry("min.insync.replicas", "2")
                .containsKey("retention.ms");
        assertThat(Topics.topicConfig(Topic.CHAT_STATE, (short) 1)).containsEntry("min.insync.replicas", "1")
                .containsEntry("cleanup.policy", "compact");
    }
}
