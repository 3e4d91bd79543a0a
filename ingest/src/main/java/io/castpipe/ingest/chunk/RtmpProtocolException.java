package io.castpipe.ingest.chunk;

import io.netty.handler.codec.DecoderException;

/** The peer broke the protocol or a bound; the connection is closed with this message logged once. */
public class RtmpProtocolException extends DecoderException {
    public RtmpProtocolException(String message) {
        super(message);
    }

    public RtmpProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
