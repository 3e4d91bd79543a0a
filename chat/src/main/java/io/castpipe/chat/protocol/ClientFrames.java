package io.castpipe.chat.protocol;

import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Decodes a client's text frame into a {@link ClientFrame}, or says precisely what is wrong with it. */
public final class ClientFrames {
    public static final int MAX_TEXT_CHARS = 500;
    public static final int MAX_SLOW_MODE_SECONDS = 3600;
    /** Two weeks. */
    public static final int MAX_TIMEOUT_SECONDS = 14 * 24 * 3600;
    /** User and message ids as chat tokens and the id generator make them. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ClientFrames() {
    }

    public static ClientFrame parse(String frame) throws Refusal {
        JsonNode json;
        try {
            json = MAPPER.readTree(frame);
        } catch (JsonProcessingException e) {
            throw new Refusal("invalid_json", "a frame must be one JSON object");
        }
        if (!json.isObject()) {
            throw new Refusal("invalid_json", "a frame must be one JSON object");
        }
        JsonNode type = json.get("type");
        if (type == null || !type.isTextual()) {
            throw new Refusal("invalid_frame", "a frame needs a \"type\"");
        }
        return switch (type.asText()) {
            case "message" -> new ClientFrame.Post(text(json));
            case "delete" -> new ClientFrame.Delete(id(json, "id"));
            case "timeout" -> new ClientFrame.Timeout(id(json, "user"), seconds(json, 1, MAX_TIMEOUT_SECONDS));
            case "ban" -> new ClientFrame.Ban(id(json, "user"), true);
            case "unban" -> new ClientFrame.Ban(id(json, "user"), false);
            case "slowmode" -> new ClientFrame.SlowMode(seconds(json, 0, MAX_SLOW_MODE_SECONDS));
            default -> throw new Refusal("unknown_type",
                    "unknown frame type; send message, delete, timeout, ban, unban or slowmode");
        };
    }

    private static String text(JsonNode json) throws Refusal {
        JsonNode text = json.get("text");
        if (text == null || !text.isTextual()) {
            throw new Refusal("invalid_frame", "a message needs a \"text\" string");
        }
        String s = text.asText();
        if (s.isBlank()) {
            throw new Refusal("empty", "a message cannot be empty");
        }
        if (s.codePointCount(0, s.length()) > MAX_TEXT_CHARS) {
            throw new Refusal("too_long", "a message is at most " + MAX_TEXT_CHARS + " characters");
        }
        if (!isShowable(s)) {
            throw new Refusal("invalid_text", "a message cannot hold control characters (line breaks and tabs"
                    + " included), direction overrides or unpaired surrogates");
        }
        return s;
    }

    /**
     * False for text holding what a chat line must not: C0 controls (line breaks and tabs too: a
     * message is one line, and breaks would let one message fill everyone's chat), DEL and C1
     * controls, the Unicode line and paragraph separators (breaks too), unpaired surrogates (no character at all; not even UTF-8), and the bidirectional
     * overrides and isolates, which make text read otherwise than it is written. NUL among them
     * is also what PostgreSQL refuses to store.
     */
    private static boolean isShowable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c) || Character.getType(c) == Character.CONTROL
                    || c == '\u2028' || c == '\u2029'
                    || c >= '\u202A' && c <= '\u202E' || c >= '\u2066' && c <= '\u2069') {
                return false;
            }
        }
        return true;
    }

    private static String id(JsonNode json, String field) throws Refusal {
        JsonNode id = json.get(field);
        if (id == null || !id.isTextual() || !ID.matcher(id.asText()).matches()) {
            throw new Refusal("invalid_frame", "\"" + field + "\" must be an id (1-64 of A-Z a-z 0-9 _ -)");
        }
        return id.asText();
    }

    private static int seconds(JsonNode json, int min, int max) throws Refusal {
        JsonNode seconds = json.get("seconds");
        if (seconds == null || !seconds.canConvertToInt() || !seconds.isIntegralNumber()
                || seconds.asInt() < min || seconds.asInt() > max) {
            throw new Refusal("invalid_frame", "\"seconds\" must be a whole number from " + min + " to " + max);
        }
        return seconds.asInt();
    }
}
