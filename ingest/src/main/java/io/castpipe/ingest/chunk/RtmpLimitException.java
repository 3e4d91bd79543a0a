package io.castpipe.ingest.chunk;

/**
 * The peer went past one of the bounds a connection is held to; it is closed, and counted
 * under {@link #reason()} ({@code castpipe_ingest_refused_total{reason}}).
 */
public final class RtmpLimitException extends RtmpProtocolException {
    /** Media, data or too many bytes before the publish was accepted. */
    public static final String BEFORE_PUBLISH = "before_publish";
    /** The connection's share, or the process's memory for messages still arriving, is spent. */
    public static final String BUFFER = "buffer";

    private final String reason;

    public RtmpLimitException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
