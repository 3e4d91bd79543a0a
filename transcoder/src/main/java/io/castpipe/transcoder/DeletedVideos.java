package io.castpipe.transcoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import io.castpipe.common.media.AccessRecords;
import io.castpipe.common.media.ObjectKeys;
import io.castpipe.common.storage.ObjectNotFoundException;
import io.castpipe.common.storage.ObjectStore;

/**
 * Whether the video a piece of work writes for was deleted: its access record is a tombstone, which
 * the API writes first when it deletes a video and never takes back. Work for it stops and takes
 * away what it wrote; nothing it writes meanwhile is served, since the origin serves nothing of a
 * deleted video. No record is not a deletion: the API may not have written it yet (it is down or
 * behind), and work goes on.
 */
public final class DeletedVideos {
    /** A record is a few dozen bytes; past this it is no tombstone. */
    private static final int MAX_RECORD_BYTES = 4096;

    private final ObjectStore store;

    public DeletedVideos(ObjectStore store) {
        this.store = store;
    }

    /** @throws RuntimeException (storage errors) when storage cannot tell */
    public boolean isDeleted(String videoId) {
        try (InputStream in = store.get(ObjectKeys.accessRecord(videoId))) {
            return AccessRecords.visibility(in.readNBytes(MAX_RECORD_BYTES)).filter(AccessRecords.DELETED::equals).isPresent();
        } catch (ObjectNotFoundException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the access record of video " + videoId, e);
        }
    }
}
