package io.castpipe.common.events;

import java.time.Instant;

/**
 * How a live stream's ladder is being encoded, as the transcoder holding it said last (the LADDER
 * {@link StreamEvent}, every few seconds and at each change).
 *
 * @param preset           the x264 preset the renditions are encoded on now
 * @param configuredPreset the one the operator configured; another {@code preset} means the ladder
 *                         was shed because this one did not keep up with real time
 * @param switching        whether a second ffmpeg on another preset is taking the renditions over
 * @param behindSeconds    the media waiting for the encoder: how far the ladder is behind its input
 * @param since            when the ladder went on {@code preset}
 */
public record LadderFigures(Instant measuredAt, String preset, String configuredPreset, boolean switching,
                            double behindSeconds, Instant since) {
}
