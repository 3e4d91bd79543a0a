package io.castpipe.common.config;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The node's configuration, read once from the environment. Values are checked when read,
 * so a typo fails at start with a message that names the variable.
 */
public final class CastpipeConfig {
    private final Map<Setting, String> values;

    private CastpipeConfig(Map<Setting, String> values) {
        this.values = values;
    }

    public static CastpipeConfig fromEnvironment() {
        return from(System.getenv());
    }

    public static CastpipeConfig from(Map<String, String> env) {
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            String v = env.get(s.env());
            values.put(s, v == null ? s.defaultValue() : v.trim());
        }
        return new CastpipeConfig(values);
    }

    /** A copy with one value replaced; used where the node fills in what it generated. */
    public CastpipeConfig with(Setting setting, String value) {
        Map<Setting, String> copy = new EnumMap<>(values);
        copy.put(setting, value);
        return new CastpipeConfig(copy);
    }

    public String string(Setting s) {
        return values.get(s);
    }

    public Optional<String> optional(Setting s) {
        String v = values.get(s);
        return v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    public int integer(Setting s, int min, int max) {
        String v = values.get(s);
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(s.env() + "=" + v + " is not a whole number; set it to a number from "
                    + min + " to " + max + " or unset it for the default " + s.defaultValue());
        }
        if (n < min || n > max) {
            throw new ConfigException(s.env() + "=" + v + " is out of range; set it to a number from "
                    + min + " to " + max + " or unset it for the default " + s.defaultValue());
        }
        return n;
    }

    /** A number with a decimal point allowed, from {@code min} to {@code max}, or exactly 0 where 0 has a meaning of its own. */
    public double decimal(Setting s, double min, double max, boolean zeroAllowed) {
        String v = values.get(s);
        double n;
        try {
            n = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            n = Double.NaN;
        }
        if (!(n >= min && n <= max) && !(zeroAllowed && n == 0)) {
            throw new ConfigException(s.env() + "=" + v + " is not a number from " + min + " to " + max
                    + (zeroAllowed ? " or 0" : "") + "; set one or unset it for the default " + s.defaultValue());
        }
        return n;
    }

    /** The x264 presets, fastest first: each step down costs more CPU for a smaller file at the same quality. */
    public static final java.util.List<String> X264_PRESETS = java.util.List.of("ultrafast", "superfast", "veryfast",
            "faster", "fast", "medium", "slow", "slower", "veryslow");

    public String x264Preset(Setting s) {
        String v = values.get(s);
        if (!X264_PRESETS.contains(v)) {
            throw new ConfigException(s.env() + "=" + v + " is not an x264 preset; use one of "
                    + String.join(", ", X264_PRESETS) + " or unset it for the default " + s.defaultValue());
        }
        return v;
    }

    public int port(Setting s) {
        return integer(s, 1, 65535);
    }

    public boolean bool(Setting s) {
        String v = values.get(s).toLowerCase(java.util.Locale.ROOT);
        switch (v) {
            case "true", "yes", "1", "on":
                return true;
            case "false", "no", "0", "off":
                return false;
            default:
                throw new ConfigException(s.env() + "=" + values.get(s) + " is not a boolean; set it to true or false");
        }
    }

    public Path path(Setting s) {
        return Path.of(values.get(s)).toAbsolutePath().normalize();
    }

    /** Where viewers reach this deployment's HTTP: API, origin and pages; no trailing slash. */
    public String publicUrl() {
        String url = optional(Setting.PUBLIC_URL).orElse("http://" + string(Setting.HOST) + ":" + port(Setting.HTTP_PORT));
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Where browsers open chat WebSockets: a channel's name is appended. */
    public String chatPublicUrl() {
        String url = optional(Setting.CHAT_PUBLIC_URL).orElse("ws://" + string(Setting.HOST) + ":" + port(Setting.CHAT_PORT) + "/chat/");
        if (!url.startsWith("ws://") && !url.startsWith("wss://")) {
            throw new ConfigException(Setting.CHAT_PUBLIC_URL.env() + " must start with ws:// or wss://, not '" + url + "'");
        }
        return url.endsWith("/") ? url : url + "/";
    }

    public Path dataDir() {
        return path(Setting.DATA_DIR);
    }

    public boolean embeddedKafka() {
        return optional(Setting.KAFKA_BOOTSTRAP).isEmpty();
    }

    public boolean embeddedS3() {
        return optional(Setting.S3_ENDPOINT).isEmpty();
    }

    public boolean embeddedDatabase() {
        return optional(Setting.DB_URL).isEmpty();
    }
}
