package io.castpipe.ingest.publish;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.castpipe.common.TestServices;
import io.castpipe.common.events.StreamControl;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.node.Supervisor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code stream.control} read by a real consumer against the embedded broker: from the moment
 * {@link StreamControls#start()} returns, and never before.
 */
class StreamControlsTest {

    @Test
    void everyOrderPublishedOnceStartReturnedIsCarriedOutAndNoneFromBefore() throws Exception {
        KafkaSettings kafka = new KafkaSettings(TestServices.kafka().bootstrapServers(), "controls-test", Duration.ofSeconds(15));
        Topics topics = new Topics("ingestcontrols.");
        topics.ensureCreated(kafka, 2, (short) 1);
        ChannelPublishes live = new ChannelPublishes();
        List<String> ended = new CopyOnWriteArrayList<>();
        live.claim(new LivePublish("c1", "s1", "key1", ended::add));
        try (EventPublisher api = new EventPublisher(kafka, topics, "test-api")) {
            // Older than the process: none of its business.
            api.publishDurably(Topic.STREAM_CONTROL, "c1", StreamControl.endStream("c1", "s1", StreamControl.USER_REMOVED));
            try (StreamControls controls = new StreamControls(new Supervisor(new SimpleMeterRegistry()), kafka, topics, live, new StreamKeys(null), new SimpleMeterRegistry())) {
                controls.start();
                // Published the moment start returned, as an order can be while the first publishes come in.
                api.publishDurably(Topic.STREAM_CONTROL, "c1", StreamControl.endStream("c1", "s1", StreamControl.ENDED_BY_ADMIN));
                await().atMost(Duration.ofSeconds(30)).until(() -> !ended.isEmpty());
            }
        }
        // The older order is on the same partition, before the newer: it would be here by now.
        assertThat(ended).containsExactly(StreamControl.ENDED_BY_ADMIN);
    }
}
