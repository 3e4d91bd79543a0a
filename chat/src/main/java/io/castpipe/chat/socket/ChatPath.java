package io.castpipe.chat.socket;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code /chat/{channel}} with an optional {@code ?token=}, the only path a chat node serves. */
record ChatPath(String channel, String token) {
    private static final int MAX_LENGTH = 2048;
    private static final Pattern PATH = Pattern.compile("/chat/([a-z0-9][a-z0-9_-]{2,31})(?:\\?(.*))?");
    /** Chat tokens are base64url with one dot; anything else is no token of ours. */
    private static final Pattern TOKEN = Pattern.compile("token=([A-Za-z0-9_.-]{1,1024})");

    /** The channel and token the request names, or empty for any other path; a malformed token reads as a wrong one. */
    static Optional<ChatPath> parse(String resource) {
        if (resource == null || resource.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        Matcher m = PATH.matcher(resource);
        if (!m.matches()) {
            return Optional.empty();
        }
        String token = null;
        if (m.group(2) != null) {
            for (String param : m.group(2).split("&")) {
                if (param.startsWith("token=")) {
                    Matcher t = TOKEN.matcher(param);
                    token = t.matches() ? t.group(1) : "";
                }
            }
        }
        return Optional.of(new ChatPath(m.group(1), token));
    }
}
