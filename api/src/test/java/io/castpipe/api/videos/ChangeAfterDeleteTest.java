package io.castpipe.api.videos;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import io.castpipe.api.auth.Caller;
import io.castpipe.api.http.ApiException;
import io.castpipe.api.streams.LiveControl;
import io.castpipe.common.TestServices;
import io.castpipe.common.auth.PlaybackTokens;
import io.castpipe.common.db.Database;
import io.castpipe.common.kafka.EventPublisher;
import io.castpipe.common.kafka.KafkaSettings;
import io.castpipe.common.kafka.Topics;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.S3ObjectStore;
import io.castpipe.common.storage.S3Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A {@code PATCH} and a {@code DELETE} of the same video racing: the PATCH looked the video up, then
 * the DELETE ran to its end, then the PATCH changes it. Played here step by step, in that order, on
 * the real database and storage.
 */
class ChangeAfterDeleteTest {
    private static Database db;
    private static S3ObjectStore store;
    private static EventPublisher publisher;
    private static VideoRepository videos;
    private static VideoCreator creator;
    private static VideoRemover remover;
    private static VideosEndpoint endpoint;

    @BeforeAll
    static void start() throws Exception {
        db = Database.open("jdbc:h2:mem:change-after-delete;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;"
                + "DB_CLOSE_DELAY=-1", "castpipe", "", 2);
        store = new S3ObjectStore(new S3Settings(URI.create(TestServices.s3().endpoint()), "us-east-1", "change-after-delete",
                TestServices.S3_ACCESS_KEY, TestServices.S3_SECRET_KEY, true, 5 << 20));
        store.ensureBucket();
        publisher = new EventPublisher(new KafkaSettings(TestServices.kafka().bootstrapServers(), "change-after-delete",
                Duration.ofSeconds(15)), new Topics("change-after-delete."), "test");
        videos = new VideoRepository(db);
        VideoAccessFile accessFile = new VideoAccessFile(store);
        creator = new VideoCreator(videos, accessFile);
        remover = new VideoRemover(videos, accessFile, videoId -> { }, store, new LiveControl(publisher));
        endpoint = new VideosEndpoint(videos, creator, accessFile,
                new VideoView("http://127.0.0.1", new PlaybackTokens("secret")), remover);
    }

    @AfterAll
    static void stop() {
        publisher.close();
        store.close();
        db.close();
    }

    @ParameterizedTest
    @EnumSource(Visibility.class)
    void aChangeThatComesAfterTheDeletionIs404AndTheVideoStaysDeleted(Visibility given) throws Exception {
        Video lookedUp = creator.create(Caller.admin(), "doomed", "", Visibility.PUBLIC);
        remover.remove(lookedUp);

        assertThatThrownBy(() -> endpoint.change(lookedUp, "too late", "", Optional.of(given)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThat(record(lookedUp.id())).isEqualTo("{\"visibility\":\"deleted\"}");
        assertThat(videos.find(lookedUp.id())).isEmpty();
    }

    private static String record(String id) throws Exception {
        try (InputStream in = store.get(ObjectKeys.accessRecord(id))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
