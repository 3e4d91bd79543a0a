package io.castpipe.api.streams;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.castpipe.api.videos.VideoAccessFile;
import io.castpipe.api.videos.Visibility;
import io.castpipe.common.db.Database;
import io.castpipe.common.events.EventCodec;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.kafka.EventConsumer;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.ReadSpan;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.media.Ids;
import io.castpipe.common.node.Supervisor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the streams table in step with ingest's {@code stream.events} (and the transcoders'
 * LADDER reports there), and makes each new stream's
 * recording: the video with the stream's id, public like any new video, its access record written
 * before its row (and the stream's row last, so that a STARTED read again after the recording was
 * deleted does not bring it back). The origins' VIEWERS reports are not its business.
 *
 * <p>A record the database refuses as data (SQLSTATE class 22, e.g. a value longer than its column
 * or a time out of its range) or whose time no database column can take is passed over with a log
 * line, never retried: retrying would stop every later stream of its partition for good, as
 * {@link io.castpipe.api.chat.ChatArchiveConsumer} does for the chat. Any other failure (the
 * database or storage unreachable) is retried.
 */
public final class StreamEventsConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamEventsConsumer.class);
    public static final String GROUP_ID = "castpipe-api-streams";
    /** The size of the streams.ingest_json column. */
    private static final int MAX_FIGURES_JSON = 2000;
    /** The size of the streams.ladder_json column. */
    private static final int MAX_LADDER_JSON = 1000;
    /** An ALIVE is written unless one of its stream was written this recently (a replayed backlog): one UPDATE per stream every 2 s. */
    private static final long SEEN_WRITE_EVERY_NANOS = Duration.ofMillis(1500).toNanos();
    private static final int MAX_STREAMS_REMEMBERED = 100_000;

    private final StreamRepository streams;
    private final VideoAccessFile accessFile;
    private final EventConsumer<StreamEvent> consumer;
    /** When each stream's last ALIVE was written; touched by the consumer's thread only. */
    private final Map<String, Long> seenWritten = new HashMap<>();

    public StreamEventsConsumer(Supervisor supervisor, KafkaSettings kafka, Topics topics, StreamRepository streams, VideoAccessFile accessFile) {
        this.streams = streams;
        this.accessFile = accessFile;
        this.consumer = new EventConsumer<>(supervisor, "stream-events", kafka, topics, Topic.STREAM_EVENTS, GROUP_ID, StreamEvent.class, this::apply);
        consumer.trackReadHorizon();
    }

    public void start() {
        consumer.start();
    }

    private void apply(StreamEvent e) {
        if (e.type() == StreamEvent.Type.VIEWERS) {
            return;
        }
        if (!Ids.isValid(e.streamId()) || !Ids.isValid(e.channelId()) || e.type() == null || e.at() == null) {
            log.warn("skipping a stream event without valid ids, type or time");
            return;
        }
        try {
            switch (e.type()) {
                case STARTED -> started(e);
                case ENDED -> {
                    streams.ended(e.streamId(), e.at(), e.reason());
                    seenWritten.remove(e.streamId());
                }
                case ALIVE -> heard(e.streamId());
                case LADDER -> {
                    String ladder = e.ladder() == null || e.ladder().measuredAt() == null || e.ladder().preset() == null
                            || e.ladder().configuredPreset() == null ? null
                            : new String(EventCodec.encode(e.ladder()), StandardCharsets.UTF_8);
                    if (ladder == null || ladder.length() > MAX_LADDER_JSON) {
                        log.warn("stream {}: skipping a LADDER event without figures or with more than fits", e.streamId());
                    } else {
                        streams.ladder(e.streamId(), e.ladder().measuredAt(), ladder);
                    }
                }
                case STATS -> {
                    String figures = e.ingest() == null || e.ingest().measuredAt() == null ? null
                            : new String(EventCodec.encode(e.ingest()), StandardCharsets.UTF_8);
                    if (figures == null || figures.length() > MAX_FIGURES_JSON) {
                        log.warn("stream {}: skipping a STATS event without figures or with more than fits", e.streamId());
                    } else {
                        streams.measured(e.streamId(), e.ingest().measuredAt(), figures);
                    }
                }
            }
        } catch (SQLException ex) {
            if (!Database.isDataException(ex)) {
                throw new IllegalStateException("stream " + e.streamId() + ": " + ex.getMessage(), ex);
            }
            skipUnstorable(e, ex);
        } catch (DateTimeException ex) {
            skipUnstorable(e, ex);
        }
    }

    private void heard(String streamId) throws SQLException {
        long now = System.nanoTime();
        Long last = seenWritten.get(streamId);
        if (last != null && now - last < SEEN_WRITE_EVERY_NANOS) {
            return;
        }
        streams.seen(streamId, Instant.now());
        if (seenWritten.size() >= MAX_STREAMS_REMEMBERED) {
            seenWritten.clear(); // streams whose ENDED never came; the live ones are written once more, that is all
        }
        seenWritten.put(streamId, now);
    }

    /**
     * The instant before which this node has applied every record of {@code streamId}'s partition;
     * empty when another node reads that partition or this one has not caught up with it. A
     * silence in the database that ends before it is ingest's silence, not this node's backlog
     * or Kafka being away.
     */
    public Optional<ReadSpan> readUpTo(String streamId) {
        return consumer.readUpTo(streamId);
    }

    private static void skipUnstorable(StreamEvent e, Exception why) {
        log.warn("stream {}: skipping its {} event, which the database cannot hold: {}", e.streamId(), e.type(),
                why.getMessage());
    }

    private void started(StreamEvent e) throws SQLException {
        if (streams.find(e.streamId()).isPresent()) {
            return; // read again: its recording was made before its row, and may have been deleted since
        }
        if (!streams.channelExists(e.channelId())) {
            log.warn("stream {}: started on unknown channel {}; ignored", e.streamId(), e.channelId());
            return;
        }
        String metadata = e.metadata() == null ? null : new String(EventCodec.encode(e.metadata()), StandardCharsets.UTF_8);
        if (metadata != null && metadata.length() > 4000) {
            metadata = null;
        }
        accessFile.write(e.streamId(), Visibility.PUBLIC);
        streams.recordingVideo(e.streamId(), e.channelId(), e.at());
        streams.started(e.streamId(), e.channelId(), e.at(), e.videoCodec(), e.audioCodec(), metadata);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
