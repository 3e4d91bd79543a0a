package io.castpipe.common.storage;

/**
 * Storage failed a request. {@link #unavailable()} tells an outage (unreachable, a timeout, a 5xx:
 * worth retrying later) from a refusal that retrying will not change (a 4xx: access denied, a bad
 * request).
 */
public class ObjectStoreException extends RuntimeException {
    private final boolean unavailable;

    public ObjectStoreException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public ObjectStoreException(String message, Throwable cause, boolean unavailable) {
        super(message, cause);
        this.unavailable = unavailable;
    }

    /** True when storage did not answer, or answered that it cannot serve now (5xx). */
    public boolean unavailable() {
        return unavailable;
    }
}
