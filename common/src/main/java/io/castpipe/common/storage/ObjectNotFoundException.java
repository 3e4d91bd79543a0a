package io.castpipe.common.storage;

public class ObjectNotFoundException extends ObjectStoreException {
    public ObjectNotFoundException(String key, Throwable cause) {
        super("no object " + key, cause);
    }
}
