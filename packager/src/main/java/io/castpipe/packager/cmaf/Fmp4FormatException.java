package io.castpipe.packager.cmaf;

import java.io.IOException;

/** The bytes are not a fragmented MP4 stream this reader accepts; the message says where and why. */
public final class Fmp4FormatException extends IOException {
    public Fmp4FormatException(String message) {
        super(message);
    }
}
