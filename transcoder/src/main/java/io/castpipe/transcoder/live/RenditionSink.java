package io.castpipe.transcoder.live;

import java.io.InputStream;
import java.util.function.BooleanSupplier;

import io.castpipe.transcoder.vod.Rung;

/** Takes one rendition's fragmented MP4 as ffmpeg writes it, until the stream ends. */
@FunctionalInterface
interface RenditionSink {
    /**
     * Runs on a thread of its own for the whole stream; returns when {@code fmp4} ends.
     * @param finished after the end: true when the stream finished, false when it was cut off
     *                 (e.g. the stream moved to another worker, which will go on with it)
     */
    void consume(Rung rung, InputStream fmp4, BooleanSupplier finished) throws Exception;
}
