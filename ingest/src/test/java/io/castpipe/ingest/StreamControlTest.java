package io.castpipe.ingest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.castpipe.common.events.StreamControl;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.ffmpeg.FfmpegException;
import io.castpipe.common.ffmpeg.FfmpegJob;
import io.castpipe.common.ffmpeg.FfmpegResult;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code stream.control} orders, published as the api does, end real ffmpeg publishes: the
 * encoder is told why, the stream ENDs with the order's reason and the channel is free at once.
 */
class StreamControlTest {
    private static IngestTestNode node;
    private static EventPublisher api;

    @BeforeAll
    static void start() throws Exception {
        node = new IngestTestNode("ingestcontrol.");
        api = new EventPublisher(node.kafka, node.topics, "test-api");
    }

    @AfterAll
    static void stop() {
        api.close();
        node.close();
    }

    @Test
    void anEndOrderForAStreamEndsItsPublishAndFreesTheChannel() throws Exception {
        String[] ch = node.channel("ending");
        CompletableFuture<FfmpegResult> publisher = running(node.publish(ch[1], 60).start());
        String streamId = awaitLive(ch[0]);

        api.publishDurably(Topic.STREAM_CONTROL, ch[0], StreamControl.endStream(ch[0], "someotherstream", StreamControl.ENDED_BY_ADMIN));
        api.publishDurably(Topic.STREAM_CONTROL, ch[0], StreamControl.endStream(ch[0], streamId, StreamControl.ENDED_BY_OWNER));

        assertThat(failure(publisher)).contains("Server error: the channel's owner ended this stream");
        StreamEvent ended = node.await(ch[0], 1, Duration.ofSeconds(20)).events().get(1);
        assertThat(ended.type()).isEqualTo(StreamEvent.Type.ENDED);
        assertThat(ended.streamId()).isEqualTo(streamId);
        assertThat(ended.reason()).isEqualTo(StreamControl.ENDED_BY_OWNER);

        node.publish(ch[1], 2).run();
        assertThat(node.await(ch[0], 2, Duration.ofSeconds(20)).events()).extracting(StreamEvent::type)
                .containsExactly(StreamEvent.Type.STARTED, StreamEvent.Type.ENDED, StreamEvent.Type.STARTED, StreamEvent.Type.ENDED);
    }

    @Test
    void anEndOrderForAChannelEndsOnlyAPublisherWhoseKeyNoLongerOpensIt() throws Exception {
        String[] ch = node.channel("rotating");
        CompletableFuture<FfmpegResult> publisher = running(node.publish(ch[1], 60).start());
        String streamId = awaitLive(ch[0]);

        // The key still opens the channel: this order ends nothing.
        api.publishDurably(Topic.STREAM_CONTROL, ch[0], StreamControl.endChannel(ch[0], StreamControl.USER_REMOVED));
        node.awaitControlsApplied(Duration.ofSeconds(20));
        assertThat(publisher).isNotDone();
        String newKey = rotate(ch[0]);
        api.publishDurably(Topic.STREAM_CONTROL, ch[0], StreamControl.endChannel(ch[0], StreamControl.KEY_ROTATED));

        assertThat(failure(publisher)).contains("Server error: the channel's stream key was changed; publish with the new key");
        List<StreamEvent> events = node.await(ch[0], 1, Duration.ofSeconds(20)).events();
        assertThat(events).extracting(StreamEvent::type).containsExactly(StreamEvent.Type.STARTED, StreamEvent.Type.ENDED);
        assertThat(events.get(1).streamId()).isEqualTo(streamId);
        assertThat(events.get(1).reason()).isEqualTo(StreamControl.KEY_ROTATED);

        node.publish(newKey, 2).run();
        assertThat(node.await(ch[0], 2, Duration.ofSeconds(20)).events()).hasSize(4);
    }

    @Test
    void aPublishWithTheNewKeyTakesTheChannelOverFromOneWithTheRotatedKey() throws Exception {
        String[] ch = node.channel("takeover");
        CompletableFuture<FfmpegResult> old = running(node.publish(ch[1], 60).start());
        String oldId = awaitLive(ch[0]);

        // No order comes (or it is late): the owner's publish with the new key is accepted all the same.
        String newKey = rotate(ch[0]);
        node.publish(newKey, 3).run();

        assertThat(failure(old)).contains("the channel's stream key was changed");
        List<StreamEvent> events = node.await(ch[0], 2, Duration.ofSeconds(20)).events();
        assertThat(events).filteredOn(e -> e.type() == StreamEvent.Type.ENDED && e.streamId().equals(oldId))
                .extracting(StreamEvent::reason).containsExactly(StreamControl.KEY_ROTATED);
        assertThat(events).filteredOn(e -> e.type() == StreamEvent.Type.STARTED).hasSize(2);

        // With the same key, a second publisher is still refused.
        CompletableFuture<FfmpegResult> first = running(node.publish(newKey, 60).start());
        String firstId = awaitLive(ch[0]);
        assertThat(failure(running(node.publish(newKey, 2).start()))).contains("already live");
        api.publishDurably(Topic.STREAM_CONTROL, ch[0], StreamControl.endStream(ch[0], firstId, StreamControl.ENDED_BY_OWNER));
        assertThat(failure(first)).contains("ended this stream");
    }

    private static CompletableFuture<FfmpegResult> running(FfmpegJob job) {
        return CompletableFuture.supplyAsync(job::await);
    }

    /** What ffmpeg printed when it failed; fails the test when it ended well or not at all. */
    private static String failure(CompletableFuture<FfmpegResult> publisher) throws Exception {
        try {
            publisher.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(FfmpegException.class);
            return String.join("\n", ((FfmpegException) e.getCause()).stderrTail());
        }
        throw new AssertionError("the publish ended without an error");
    }

    /** The id of the channel's newest stream, once it started. */
    private static String awaitLive(String channelId) {
        return node.awaitStarted(channelId, Duration.ofSeconds(30));
    }

    /** A new key for the channel, as the api's rotation writes it; returns it. */
    private static String rotate(String channelId) throws Exception {
        String key = "live_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = node.db.connection();
             PreparedStatement ps = c.prepareStatement("UPDATE channels SET stream_key = ? WHERE id = ?")) {
            ps.setString(1, key);
            ps.setString(2, channelId);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        return key;
    }
}
