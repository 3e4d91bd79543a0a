package io.castpipe.origin.http;

import io.undertow.util.HeaderMap;

/**
 * A response decided but not yet written: status, headers and a body that is either bytes in
 * memory or a range of an object to stream from storage. {@link ReplyEncoder} writes it.
 */
public final class Reply {
    private final int status;
    private final HeaderMap headers;
    private final byte[] body;
    private final int offset;
    private final int length;
    private final String streamKey;
    private final ByteRange.Slice streamSlice;

    private Reply(int status, HeaderMap headers, byte[] body, int offset, int length, String streamKey,
                  ByteRange.Slice streamSlice) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.offset = offset;
        this.length = length;
        this.streamKey = streamKey;
        this.streamSlice = streamSlice;
    }

    public static Reply bytes(int status, HeaderMap headers, byte[] body, int offset, int length) {
        return new Reply(status, headers, body, offset, length, null, null);
    }

    /** 304, or a body-less answer: no Content-Length is sent. */
    public static Reply empty(int status, HeaderMap headers) {
        return new Reply(status, headers, null, 0, 0, null, null);
    }

    public static Reply streamed(int status, HeaderMap headers, String key, ByteRange.Slice slice) {
        return new Reply(status, headers, null, 0, 0, key, slice);
    }

    public int status() {
        return status;
    }

    public HeaderMap headers() {
        return headers;
    }

    public byte[] body() {
        return body;
    }

    public int offset() {
        return offset;
    }

    /** Bytes of body this reply carries (of the slice, when streamed). */
    public long contentLength() {
        return streamSlice != null ? streamSlice.length() : length;
    }

    public boolean isStreamed() {
        return streamKey != null;
    }

    public boolean hasBody() {
        return body != null || streamKey != null;
    }

    public String streamKey() {
        return streamKey;
    }

    public ByteRange.Slice streamSlice() {
        return streamSlice;
    }
}
