package io.castpipe.common.storage;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A store that passes every call to a real one; tests override the calls they watch or break. */
public abstract class ForwardingObjectStore implements ObjectStore {
    protected final ObjectStore delegate;

    protected ForwardingObjectStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    @Override public void ensureBucket() { delegate.ensureBucket(); }
    @Override public void put(String key, byte[] bytes, String contentType) { delegate.put(key, bytes, contentType); }
    @Override public void put(String key, InputStream in, long length, String contentType) { delegate.put(key, in, length, contentType); }
    @Override public OutputStream openForWrite(String key, String contentType) { return delegate.openForWrite(key, contentType); }
    @Override public ObjectOutputStream openForWrite(String key, String contentType, long maxBytes) {
        return delegate.openForWrite(key, contentType, maxBytes);
    }
    @Override public MultipartUpload startMultipart(String key, String contentType) { return delegate.startMultipart(key, contentType); }
    @Override public MultipartUpload resumeMultipart(String key, String uploadId, List<UploadedPart> parts) {
        return delegate.resumeMultipart(key, uploadId, parts);
    }
    @Override public InputStream get(String key) { return delegate.get(key); }
    @Override public InputStream getRange(String key, long first, long last) { return delegate.getRange(key, first, last); }
    @Override public Optional<ObjectInfo> head(String key) { return delegate.head(key); }
    @Override public List<ObjectInfo> list(String prefix) { return delegate.list(prefix); }
    @Override public void copy(String fromKey, String toKey) { delegate.copy(fromKey, toKey); }
    @Override public void delete(String key) { delegate.delete(key); }
    @Override public int deleteByPrefix(String prefix) { return delegate.deleteByPrefix(prefix); }
    @Override public PresignedRequest presignPut(String key, String contentType, long contentLength, Duration ttl) {
        return delegate.presignPut(key, contentType, contentLength, ttl);
    }
    @Override public PresignedRequest presignGet(String key, Duration ttl) { return delegate.presignGet(key, ttl); }
    @Override public PresignedRequest presignUploadPart(String key, String uploadId, int partNumber, long contentLength,
                                                        Duration ttl) {
        return delegate.presignUploadPart(key, uploadId, partNumber, contentLength, ttl);
    }
    @Override public void close() { delegate.close(); }
}
