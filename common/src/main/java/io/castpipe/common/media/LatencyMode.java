package io.castpipe.common.media;

import java.util.Locale;

/**
 * A channel's live latency mode ({@code latency} in the channels API), which decides how its streams are
 * packaged: {@code low} cuts LL-HLS parts, {@code normal} serves short whole segments,
 * {@code high} long segments (fewest requests, most latency).
 */
public enum LatencyMode {
    LOW, NORMAL, HIGH;

    /** The API's name: "low", "normal" or "high". */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for a name that is not a mode */
    public static LatencyMode ofApiName(String name) {
        for (LatencyMode m : values()) {
            if (m.apiName().equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("no latency mode " + name);
    }
}
