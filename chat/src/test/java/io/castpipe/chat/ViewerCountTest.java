package io.castpipe.chat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.Ids;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A room is told its channel's viewers, summed over the origin nodes' reports as /api/live sums them. */
class ViewerCountTest {

    @Test
    void theRoomHearsTheSumOfTheOriginsLatestReportsWhenItChanges() throws Exception {
        ChatLimits often = new ChatLimits(5, Duration.ofSeconds(1), 1000, Duration.ofMillis(300), Duration.ofMillis(50));
        String channel = "watched-room";
        String stream = Ids.newId();
        try (EventPublisher origins = ChatNode.publisher();
             ChatNode node = ChatNode.start("viewers", often);
             ChatClient client = node.connect(channel, null)) {
            client.next("history");
            assertThat(client.next("viewers").get("count").asInt()).as("not live yet").isZero();

            origins.publishDurably(Topic.STREAM_EVENTS, stream, StreamEvent.started(stream, Ids.newId(), channel, "avc1", null, Map.of()));
            origins.publishDurably(Topic.STREAM_EVENTS, stream, StreamEvent.viewers(stream, 3, "origin-a"));
            origins.publishDurably(Topic.STREAM_EVENTS, stream, StreamEvent.viewers(stream, 4, "origin-b"));
            assertThat(client.next(f -> f.path("type").asText().equals("viewers") && f.get("count").asInt() == 7, "7 viewers"))
                    .isNotNull();

            origins.publishDurably(Topic.STREAM_EVENTS, stream, StreamEvent.viewers(stream, 0, "origin-b"));
            assertThat(client.next("viewers").get("count").asInt()).isEqualTo(3);

            try (ChatClient joiner = node.connect(channel, null)) {
                joiner.next("history");
                assertThat(joiner.next("viewers").get("count").asInt()).as("a joiner hears the count at once").isEqualTo(3);
            }
            origins.publishDurably(Topic.STREAM_EVENTS, stream, StreamEvent.ended(stream, Ids.newId(), channel, "done"));
            assertThat(client.next("viewers").get("count").asInt()).isZero();
            List<Integer> announced = client.frames.stream().filter(f -> f.path("type").asText().equals("viewers"))
                    .map(f -> f.get("count").asInt()).toList();
            for (int i = 1; i < announced.size(); i++) {
                assertThat(announced.get(i)).as("only changes are announced: %s", announced).isNotEqualTo(announced.get(i - 1));
            }
        }
    }
}
