package io.castpipe.api;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.castpipe.common.media.ObjectKeys;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Videos made before there were access records get theirs from their rows when the api starts,
 * once: a record that goes missing later is not written again at the next start, and a record
 * that is there (a tombstone among them) is never overwritten.
 */
class AccessRecordBackfillTest {
    @Test
    void videosMadeBeforeThereWereRecordsGetTheirsOnceFromTheirRows() throws Exception {
        ApiTestNode node = ApiTestNode.isolated(Map.of());
        try {
            node.service.accessBackfill().done().get(60, TimeUnit.SECONDS);
            HttpTestClient http = node.client();
            String owner = http.newUser("backfill-owner");
            String open = http.newVideo(owner, "old and public", "public");
            String unlisted = http.newVideo(owner, "old and unlisted", "unlisted");
            String hidden = http.newVideo(owner, "old and private", "private");
            String deleted = http.newVideo(owner, "old and deleted", "public");
            assertThat(http.delete("/api/videos/" + deleted, owner).status()).isEqualTo(204);
            // A record unlike its row (whatever the reason): the backfill does not decide for it.
            String decided = http.newVideo(owner, "decided", "public");
            node.store.put(ObjectKeys.accessRecord(decided), "{\"visibility\":\"private\"}".getBytes(), "application/json");
            // As the api left them before there were records: none, and no marker.
            for (String id : new String[] {open, unlisted, hidden}) {
                node.store.delete(ObjectKeys.accessRecord(id));
            }
            node.store.delete(ObjectKeys.accessBackfillMarker());

            node = node.restart();
            assertThat(node.service.accessBackfill().done().get(60, TimeUnit.SECONDS)).isEqualTo(3);
            assertThat(node.accessRecord(open)).isEqualTo("{\"visibility\":\"public\"}");
            assertThat(node.accessRecord(unlisted)).isEqualTo("{\"visibility\":\"unlisted\"}");
            assertThat(node.accessRecord(hidden)).isEqualTo("{\"visibility\":\"private\"}");
            assertThat(node.accessRecord(deleted)).isEqualTo("{\"visibility\":\"deleted\"}");
            assertThat(node.accessRecord(decided)).isEqualTo("{\"visibility\":\"private\"}");
            assertThat(node.store.head(ObjectKeys.accessBackfillMarker())).isPresent();

            // Once: the marker stays, and the next start goes through nothing.
            node.store.delete(ObjectKeys.accessRecord(open));
            node = node.restart();
            assertThat(node.service.accessBackfill().done().get(60, TimeUnit.SECONDS)).isZero();
            assertThat(node.accessRecord(open)).isNull();
        } finally {
            node.close();
        }
    }
}
