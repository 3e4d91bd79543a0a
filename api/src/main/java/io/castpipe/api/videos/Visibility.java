package io.castpipe.api.videos;

import java.util.Locale;
import java.util.Optional;

/** Who may watch: anyone and listed, anyone with the link, or only the owner and the admin. */
public enum Visibility {
    PUBLIC, UNLISTED, PRIVATE;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Visibility> parse(String value) {
        for (Visibility v : values()) {
            if (v.value().equals(value)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
