package io.castpipe.ingest.publish;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import io.castpipe.common.TestServices;
import io.castpipe.common.events.MediaTag;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.media.LatencyMode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MediaSinkTest {

    @Test
    void aPublisherCannotQueueMoreThanItsBudgetWhenKafkaIsNotTakingRecords() throws Exception {
        // a broker address nothing listens on: every send waits for metadata that never comes
        KafkaSettings nowhere = new KafkaSettings("127.0.0.1:" + TestServices.freePort(), "sink-test", Duration.ofSeconds(1));
        EventPublisher publisher = new EventPublisher(nowhere, new Topics("sinktest."), "test");
        MediaSink sink = new MediaSink(publisher);
        AtomicReference<String> failure = new AtomicReference<>();
        MediaSink.InFlight budget = new MediaSink.InFlight(failure::set);
        byte[] frame = new byte[1000];
        int queued = 0;
        long t0 = System.nanoTime();
        while (sink.media(new MediaTag("s", "c", MediaTag.Kind.VIDEO, queued, false, false, frame, 0, LatencyMode.NORMAL),
                budget)) {
            queued++;
        }
        long millis = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertThat(queued).isEqualTo((int) MediaSink.MAX_IN_FLIGHT_RECORDS);
        assertThat(budget.bytes()).isLessThanOrEqualTo(MediaSink.MAX_IN_FLIGHT_BYTES);
        assertThat(millis).as("the caller (an event loop) never waited for Kafka").isLessThan(2000);

        byte[] big = new byte[1024 * 1024];
        MediaSink.InFlight second = new MediaSink.InFlight(failure::set);
        int bigQueued = 0;
        while (sink.media(new MediaTag("s2", "c", MediaTag.Kind.VIDEO, 0, true, false, big, 0, LatencyMode.NORMAL), second)) {
            bigQueued++;
        }
        assertThat(bigQueued).isEqualTo(31); // 32 MiB budget, each record a little over 1 MiB
        t0 = System.nanoTime();
        sink.close(500);
        publisher.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0).toMillis()).isLessThan(8000);
    }
}
