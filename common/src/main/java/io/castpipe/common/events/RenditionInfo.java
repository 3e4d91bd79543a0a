package io.castpipe.common.events;

/** One rung of a finished ladder, as the master playlist describes it. */
public record RenditionInfo(String name, int width, int height, long bandwidth, long averageBandwidth,
                            String codecs, double frameRate) {
}
