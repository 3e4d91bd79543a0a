package io.castpipe.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.castpipe.common.events.StreamEvent;
import io.castpipe.common.events.VodJob;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.Topic;
import io.castpipe.common.media.Ids;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The reconciler drives on videos a stopped node or a lost record left behind, as a node that
 * died at the worst moment leaves them (made here by writing the rows such a node leaves).
 */
class VideoReconcilerTest {
    private static ApiTestNode node;
    private static HttpTestClient http;
    private static JobsProbe jobs;

    @BeforeAll
    static void start() throws Exception {
        node = ApiTestNode.shared();
        http = node.client();
        jobs = JobsProbe.shared();
    }

    @Test
    void aVideoWhoseUploadCompletedButWasNeverQueuedIsQueuedOnce() throws Exception {
        String token = http.newUser("reconcile-uploaded");
        String id = http.newVideo(token, "stopped after its upload", "public");
        Instant twoMinutesAgo = Instant.now().minus(Duration.ofMinutes(2));
        sql("UPDATE videos SET status = 'uploading', updated_at = ? WHERE id = ?", time(twoMinutesAgo), id);
        sql("INSERT INTO uploads (id, video_id, kind, state, upload_length, offset_bytes, part_size, expires_at, created_at) "
                + "VALUES (?, ?, 'tus', 'completed', 10, 10, 5242880, ?, ?)", Ids.newId(), id,
                time(Instant.now().plus(Duration.ofDays(1))), time(twoMinutesAgo));

        node.service.uploads().reconciler().reconcile(Instant.now());

        assertThat(status(token, id)).isEqualTo("queued");
        VodJob job = jobs.awaitJob(id);
        assertThat(job.jobId()).isNotNull();
        node.service.uploads().reconciler().reconcile(Instant.now());
        Thread.sleep(2000); // what a second turn would have sent has had time to arrive
        assertThat(jobs.jobs(id)).hasSize(1);
    }

    @Test
    void aNewSourceBeingPutIsNotTakenForAnOldCompletedUpload() throws Exception {
        String token = http.newUser("reconcile-put");
        String id = http.newVideo(token, "a second source on its way", "public");
        Instant longAgo = Instant.now().minus(Duration.ofHours(1));
        // A tus upload completed an hour ago (its video failed since); a single PUT of a new source began 2 minutes ago.
        sql("INSERT INTO uploads (id, video_id, kind, state, upload_length, offset_bytes, part_size, expires_at, created_at) "
                + "VALUES (?, ?, 'tus', 'completed', 10, 10, 5242880, ?, ?)", Ids.newId(), id,
                time(Instant.now().plus(Duration.ofDays(1))), time(longAgo));
        sql("UPDATE videos SET status = 'uploading', updated_at = ? WHERE id = ?", time(Instant.now().minus(Duration.ofMinutes(2))), id);

        node.service.uploads().reconciler().reconcile(Instant.now());

        assertThat(status(token, id)).isEqualTo("uploading");
    }

    @Test
    void aVideoStillUploadingIsLeftAlone() throws Exception {
        String token = http.newUser("reconcile-uploading");
        String id = http.newVideo(token, "upload in progress", "public");
        Instant longAgo = Instant.now().minus(Duration.ofHours(1));
        sql("UPDATE videos SET status = 'uploading', updated_at = ? WHERE id = ?", time(longAgo), id);
        sql("INSERT INTO uploads (id, video_id, kind, state, upload_length, offset_bytes, part_size, expires_at, created_at) "
                + "VALUES (?, ?, 'tus', 'completed', 10, 10, 5242880, ?, ?)", Ids.newId(), id,
                time(Instant.now().plus(Duration.ofDays(1))), time(longAgo));
        // A new upload of another source is open: queueing the old one would refuse it at its end.
        sql("INSERT INTO uploads (id, video_id, kind, state, upload_length, offset_bytes, part_size, expires_at, created_at) "
                + "VALUES (?, ?, 'tus', 'open', 10, 0, 5242880, ?, ?)", Ids.newId(), id,
                time(Instant.now().plus(Duration.ofDays(1))), time(Instant.now()));

        node.service.uploads().reconciler().reconcile(Instant.now());

        assertThat(status(token, id)).isEqualTo("uploading");
    }

    @Test
    void aQueuedVideoWithoutProgressGetsTheSameJobAgainOnce() throws Exception {
        String token = http.newUser("reconcile-stuck");
        String id = http.newVideo(token, "stuck in the queue", "public");
        HttpTestClient.Response r = http.request("PUT", "/api/videos/" + id + "/source").token(token)
                .body("not really a video".getBytes()).send();
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        VodJob first = jobs.awaitJob(id);
        sql("UPDATE videos SET updated_at = ? WHERE id = ?", time(Instant.now().minus(Duration.ofMinutes(11))), id);

        node.service.uploads().reconciler().reconcile(Instant.now());

        await().atMost(Duration.ofSeconds(20)).until(() -> jobs.jobs(id).size() == 2);
        List<VodJob> sent = jobs.jobs(id);
        assertThat(sent.get(1).jobId()).as("the same job, so a transcoder that did it does not do it again")
                .isEqualTo(first.jobId());
        assertThat(status(token, id)).isEqualTo("queued");
        node.service.uploads().reconciler().reconcile(Instant.now());
        Thread.sleep(2000);
        assertThat(jobs.jobs(id)).as("waiting again from the re-drive on").hasSize(2);
    }

    @Test
    void aLiveRecordingIsNeverRedrivenAsAnUploadAndIsAskedForOnceItsStreamEndedWithoutIt() throws Exception {
        String owner = http.newUser("reconcile-recording");
        String channelId = http.post("/api/channels", owner, Map.of("name", "recording-owed")).json().get("id").asText();
        String streamId = Ids.newId();
        try (EventPublisher ingest = new EventPublisher(node.kafka, node.topics, "test-ingest")) {
            ingest.publishDurably(Topic.STREAM_EVENTS, streamId,
                    StreamEvent.started(streamId, channelId, "recording-owed", "avc1", "mp4a", Map.of()));
            await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/api/streams/" + streamId, owner).status() == 200);
            // Live for 20 minutes: its recording video has not moved since it started.
            sql("UPDATE videos SET updated_at = ? WHERE id = ?", time(Instant.now().minus(Duration.ofMinutes(20))), streamId);
            node.service.uploads().reconciler().reconcile(Instant.now());
            Thread.sleep(2000);
            assertThat(jobs.jobs(streamId)).as("a live stream's video waits for its stream, not for an upload").isEmpty();

            ingest.publishDurably(Topic.STREAM_EVENTS, streamId,
                    StreamEvent.ended(streamId, channelId, "recording-owed", "the connection closed"));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> http.get("/api/streams/" + streamId, owner).json().get("status").asText().equals("ended"));
        }
        // Its live worker stopped before making the recording.
        sql("UPDATE streams SET ended_at = ? WHERE id = ?", time(Instant.now().minus(Duration.ofMinutes(2))), streamId);
        node.service.uploads().reconciler().reconcile(Instant.now());

        VodJob job = jobs.awaitJob(streamId);
        assertThat(job.kind()).isEqualTo(VodJob.Kind.RECORDING);
        assertThat(job.sourceKey()).isEqualTo("live/" + streamId + "/");
        node.service.uploads().reconciler().reconcile(Instant.now());
        Thread.sleep(2000);
        assertThat(jobs.jobs(streamId)).as("asked for once until the re-drive time").hasSize(1);
    }

    private static String status(String token, String id) throws Exception {
        JsonNode v = http.request("GET", "/api/videos/" + id).token(token).send().json();
        return v.get("status").asText();
    }

    private static void sql(String statement, Object... args) throws Exception {
        try (Connection c = node.database.connection(); PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    private static OffsetDateTime time(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
