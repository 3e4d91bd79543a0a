package io.castpipe.transcoder.live;

import java.io.InputStream;

import io.castpipe.transcoder.vod.Rung;

/** Takes one rendition's fragmented MP4 as ffmpeg writes it, until the stream ends. */
@FunctionalInterface
public interface RenditionSink {
    /** Runs on a thread of its own for the whole stream; returns when {@code fmp4} ends. */
    void consume(Rung rung, InputStream fmp4) throws Exception;
}
