package io.castpipe.common.config;

import java.util.List;
import java.util.Locale;

/**
 * What a secret a person sets must be: the admin token, the signing secret and the metrics
 * token open everything they guard, so a short one or a placeholder copied from an example is
 * refused at start rather than left for someone to guess. Generated secrets are 32 characters
 * of 192 random bits and pass.
 */
public final class SecretPolicy {
    public static final int MIN_LENGTH = 32;
    private static final int MIN_DISTINCT_CHARACTERS = 10;
    /** Words of example values, compared with letters and digits only ("change-me" → "changeme"). */
    private static final List<String> PLACEHOLDERS = List.of(
            "changeme", "replaceme", "placeholder", "example", "yoursecret", "yourtoken", "secretkey", "insecure",
            "notsecret", "password", "dummy", "default", "xxxxxxxx");

    private SecretPolicy() {
    }

    /** Returns when {@code value} will do for {@code setting}; a {@link ConfigException} that names the setting otherwise. */
    public static void check(Setting setting, String value) {
        String problem = problem(value);
        if (problem != null) {
            throw new ConfigException(setting.env() + " " + problem + "; set it to at least " + MIN_LENGTH
                    + " random characters, e.g. the output of: openssl rand -base64 32");
        }
    }

    static String problem(String value) {
        if (value.length() < MIN_LENGTH) {
            return "is " + value.length() + " characters long, shorter than " + MIN_LENGTH;
        }
        String letters = value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        for (String placeholder : PLACEHOLDERS) {
            if (letters.contains(placeholder)) {
                return "looks like a placeholder ('" + placeholder + "')";
            }
        }
        if (value.chars().distinct().count() < MIN_DISTINCT_CHARACTERS) {
            return "has fewer than " + MIN_DISTINCT_CHARACTERS + " different characters";
        }
        return null;
    }
}
