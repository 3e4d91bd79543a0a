package io.castpipe.transcoder.live;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.castpipe.transcoder.vod.Rung;

/**
 * How much of a live ladder is encoded, from all of it on the configured x264 preset down to
 * none: the steps a ladder that falls behind real time is shed through, one at a time, and
 * climbs back up. Every step keeps every rendition's playlist going (a player needs no new
 * master): a rendition not encoded carries the source as it came, copied, so viewers of a shed
 * rung get the source's picture and bit rate rather than a stall.
 */
enum LadderStep {
    /** every rung encoded on the configured preset */
    CONFIGURED,
    /** every rung encoded on x264's fastest preset */
    FASTEST_PRESET,
    /** only the lowest rung encoded, on the fastest preset; the other renditions carry the source */
    FEWER_RUNGS,
    /** nothing encoded: every rendition carries the source */
    PASSTHROUGH;

    static final String FASTEST = "ultrafast";

    /** The x264 preset of the rungs this step encodes. */
    String preset(String configured) {
        return this == CONFIGURED ? configured : FASTEST;
    }

    /** The renditions of {@code rungs} this step does not encode: they carry the source, copied. */
    Set<String> copied(List<Rung> rungs) {
        List<Rung> encodable = rungs.stream().filter(r -> !r.isSource()).toList();
        Rung lowest = encodable.stream().min(Comparator.comparingInt(Rung::height)).orElse(null);
        return rungs.stream()
                .filter(r -> r.isSource() || this == PASSTHROUGH || this == FEWER_RUNGS && r != lowest)
                .map(Rung::name).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * The next step down that changes anything for a ladder of {@code rungs} on {@code configured};
     * this one at the bottom.
     */
    LadderStep deeper(String configured, List<Rung> rungs) {
        for (int i = ordinal() + 1; i < values().length; i++) {
            if (values()[i].differsFrom(this, configured, rungs)) {
                return values()[i];
            }
        }
        return this;
    }

    /** The highest of the steps that encode the same as the next one up that changes anything; this one at the top. */
    LadderStep shallower(String configured, List<Rung> rungs) {
        for (int i = ordinal() - 1; i >= 0; i--) {
            if (values()[i].differsFrom(this, configured, rungs)) {
                LadderStep up = values()[i];
                while (up.ordinal() > 0 && !values()[up.ordinal() - 1].differsFrom(up, configured, rungs)) {
                    up = values()[up.ordinal() - 1];
                }
                return up;
            }
        }
        return this;
    }

    private boolean differsFrom(LadderStep other, String configured, List<Rung> rungs) {
        Set<String> copied = copied(rungs);
        return !copied.equals(other.copied(rungs))
                || copied.size() < rungs.size() && !preset(configured).equals(other.preset(configured));
    }

    /** For logs: "x264 ultrafast, 360p encoded, 720p and 480p the source". */
    String describe(String configured, List<Rung> rungs) {
        Set<String> copied = copied(rungs);
        List<String> encoded = rungs.stream().map(Rung::name).filter(n -> !copied.contains(n)).toList();
        if (encoded.isEmpty()) {
            return "the source passed through";
        }
        List<String> passed = rungs.stream().map(Rung::name).filter(copied::contains).toList();
        return "x264 " + preset(configured) + (passed.isEmpty() ? "" : ", " + String.join(" and ", encoded) + " encoded, "
                + String.join(" and ", passed) + " the source");
    }

    /** As the API and logs say it: "fewer-rungs". */
    String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
