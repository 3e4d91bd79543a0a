package io.castpipe.origin.cache;

/** What the cache knows about a storage key. */
public sealed interface Lookup {

    /** The object, in memory. */
    record Found(CachedObject object) implements Lookup {
    }

    /**
     * The object exists but is too big to hold in memory: the caller streams it from storage
     * (in ranges). {@code etag} is the store's, quoted.
     */
    record TooLarge(String key, long size, String etag) implements Lookup {
    }

    /** No such object (possibly remembered for a moment). */
    record Missing(String key) implements Lookup {
    }
}
