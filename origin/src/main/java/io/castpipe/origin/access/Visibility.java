package io.castpipe.origin.access;

import java.util.Locale;
import java.util.Optional;

/** Who may play a video (a video's {@code visibility}): anyone, anyone with the link, token holders only, or nobody (deleted). */
public enum Visibility {
    PUBLIC, UNLISTED, PRIVATE, DELETED;

    public static Optional<Visibility> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (Visibility v : values()) {
            if (v.name().toLowerCase(Locale.ROOT).equals(value)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
