package io.castpipe.api.http;

/**
 * Where a request body goes as {@link BodyReceiver} receives it. Its methods run one at a time on
 * a body-writer thread, never while the client is still being waited for, and may block on disk,
 * storage or the database.
 */
public interface BodySink {
    /** The next bytes of the body. An exception stops the body: {@link #stoppedShort} follows and the exception is the answer. */
    void write(byte[] bytes, int offset, int length) throws Exception;

    /** Every byte arrived and was written: answer the request. */
    void complete() throws Exception;

    /**
     * The body stopped before its end: the client went away, sent nothing for the body timeout
     * (answered 408), or {@link #write} failed. What was written stays written; release what the
     * request held.
     */
    void stoppedShort() throws Exception;
}
