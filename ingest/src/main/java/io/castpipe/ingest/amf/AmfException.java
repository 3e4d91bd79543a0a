package io.castpipe.ingest.amf;

/** Bytes that are not valid AMF0 (or that this decoder refuses: unknown types, deep nesting). */
public class AmfException extends RuntimeException {
    public AmfException(String message) {
        super(message);
    }
}
