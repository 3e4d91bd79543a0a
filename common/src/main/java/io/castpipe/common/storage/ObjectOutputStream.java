package io.castpipe.common.storage;

import java.io.OutputStream;

/** A stream whose object appears on {@link #close()}; {@link #abort()} gives up, leaving nothing behind. */
public abstract class ObjectOutputStream extends OutputStream {

    /** Discards what was written, including parts already uploaded; the object does not appear. */
    public abstract void abort();
}
