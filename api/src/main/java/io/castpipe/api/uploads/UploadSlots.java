package io.castpipe.api.uploads;

import java.util.HashMap;
import java.util.Map;

import io.castpipe.api.http.ApiException;

/**
 * How many single-request uploads ({@code PUT …/source}) the node streams at once: each holds up
 * to one storage part in memory (8 MiB by default) while its bytes arrive, so their number is
 * what bounds that memory — {@link #NODE} in all, {@link #PER_USER} for one user, so that one
 * account cannot take them all. tus uploads keep their pending bytes on disk and are not counted.
 */
final class UploadSlots {
    static final int NODE = 16;
    static final int PER_USER = 2;
    private static final long RETRY_AFTER_SECONDS = 5;

    private final Map<String, Integer> byUser = new HashMap<>();
    private int taken;

    /** One upload's slot; giving it back twice gives it back once. */
    final class Slot {
        private final String owner;
        private boolean given;

        private Slot(String owner) {
            this.owner = owner;
        }

        void giveBack() {
            synchronized (UploadSlots.this) {
                if (!given) {
                    given = true;
                    byUser.computeIfPresent(owner, (k, n) -> n <= 1 ? null : n - 1);
                    taken--;
                }
            }
        }
    }

    /** A slot for {@code owner}'s upload, or the refusal: 429 for a user at their share, 503 for a full node. */
    synchronized Slot take(String owner) {
        int mine = byUser.getOrDefault(owner, 0);
        if (mine >= PER_USER) {
            throw ApiException.retryLater(429, "too_many_uploads", RETRY_AFTER_SECONDS, "you have " + PER_USER
                    + " uploads in one request going already; finish them, or use tus (/api/uploads), which has no such limit");
        }
        if (taken >= NODE) {
            throw ApiException.retryLater(503, "busy", RETRY_AFTER_SECONDS,
                    "the node is taking as many single-request uploads as it can; try again shortly or use tus (/api/uploads)");
        }
        byUser.put(owner, mine + 1);
        taken++;
        return new Slot(owner);
    }
}
