package io.castpipe.common.events;

import java.time.Instant;
import java.util.List;

/**
 * How a live stream's ladder is being encoded, as the transcoder holding it said last (the LADDER
 * {@link StreamEvent}, every few seconds and at each change).
 *
 * @param preset           the x264 preset the renditions are encoded on now
 * @param configuredPreset the one the operator configured
 * @param step             how much of the ladder is encoded: {@code configured}, or shed because
 *                         that did not keep up with real time: {@code fastest-preset},
 *                         {@code fewer-rungs}, {@code passthrough}; null from a transcoder of an
 *                         earlier release, where another {@code preset} meant shed
 * @param sourceRenditions the renditions not encoded, carrying the source as it came
 * @param switching        whether a second ffmpeg is taking the renditions over, to another step
 * @param behindSeconds    the media waiting for the encoder: how far the ladder is behind its input
 * @param since            when the ladder went on {@code preset}
 * @param cpuCores         the CPU the stream's ffmpeg processes use, in cores; null from an earlier release
 * @param heldBy           {@link #BUDGET} when the step is below the configured one because the
 *                         transcoder's live CPU budget is in use (it started there), else null
 */
public record LadderFigures(Instant measuredAt, String preset, String configuredPreset, String step,
                            List<String> sourceRenditions, boolean switching, double behindSeconds, Instant since,
                            Double cpuCores, String heldBy) {
    public static final String CONFIGURED = "configured";
    public static final String BUDGET = "budget";

    /** Whether less than the configured ladder is encoded because it did not keep up. */
    public boolean shed() {
        return step == null ? !preset.equals(configuredPreset) : !step.equals(CONFIGURED);
    }
}
