package io.castpipe.common.events;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Something new in a live rendition's folder; the {@code hls.updates} record, keyed by stream id.
 * The object named by {@code key} is in storage before the record is published. {@code sequence}
 * is the media sequence number of the segment (or of the segment a part belongs to; for PLAYLIST
 * the last segment it lists; for INIT the init version); {@code part} is set for PART only.
 * {@code bytes} carries the object itself when it is small enough for hot delivery, so an origin
 * can answer without reading storage; otherwise it is null. {@code delta} is set on a PLAYLIST
 * that offers delta updates and has segments to skip: the playlist delta update (EXT-X-SKIP) an
 * origin answers {@code _HLS_skip=YES} with, which is never in storage.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HlsUpdate(String streamId, String rendition, Kind kind, long sequence, Integer part,
                        String key, byte[] bytes, Instant at, byte[] delta) {

    public HlsUpdate(String streamId, String rendition, Kind kind, long sequence, Integer part, String key, byte[] bytes,
                     Instant at) {
        this(streamId, rendition, kind, sequence, part, key, bytes, at, null);
    }

    public enum Kind {
        /** an init segment (init.mp4) */
        INIT,
        /** an LL-HLS part (part-{n}.{p}.m4s) */
        PART,
        /** a media segment (seg-{n}.m4s) */
        SEGMENT,
        /** the media playlist (index.m3u8) was rewritten */
        PLAYLIST
    }
}
