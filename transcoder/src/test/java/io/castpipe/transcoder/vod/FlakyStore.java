package io.castpipe.transcoder.vod;

import java.io.InputStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.castpipe.common.storage.ForwardingObjectStore;
import io.castpipe.common.storage.ObjectStore;
import io.castpipe.common.storage.ObjectStoreException;

/** The real store, except that reading the keys a test names fails as an unreachable server would. */
final class FlakyStore extends ForwardingObjectStore {
    final Set<String> failingReads = ConcurrentHashMap.newKeySet();

    FlakyStore(ObjectStore real) {
        super(real);
    }

    @Override
    public InputStream get(String key) {
        if (failingReads.contains(key)) {
            throw new ObjectStoreException(key + ": Connection refused", new java.net.ConnectException("Connection refused"));
        }
        return delegate.get(key);
    }
}
