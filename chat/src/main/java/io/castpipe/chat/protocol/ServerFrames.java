package io.castpipe.chat.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.framing.TextFrame;

/**
 * The frames a chat node sends (the README's "Chat", chat/README.md), as JSON text. Message text is only ever a JSON
 * string value, so markup in it reaches clients as the characters typed. {@link #wire} turns a
 * frame into the bytes of one WebSocket text frame, so that a room encodes a frame once however
 * many clients it goes to.
 */
public final class ServerFrames {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    /** Server frames are never masked nor compressed, so one encoder serves every connection. */
    private static final Draft_6455 ENCODER = new Draft_6455();

    private ServerFrames() {
    }

    public static String history(List<ChatMessage> messages) {
        return json(ordered("type", "history", "messages", messages.stream().map(ServerFrames::fields).toList()));
    }

    public static String message(ChatMessage m) {
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("type", "message");
        frame.putAll(fields(m));
        return json(frame);
    }

    public static String deleted(String id) {
        return json(ordered("type", "deleted", "id", id));
    }

    public static String timeout(String user, int seconds) {
        return json(ordered("type", "timeout", "user", user, "seconds", seconds));
    }

    public static String ban(String user, boolean banned) {
        return json(ordered("type", banned ? "ban" : "unban", "user", user));
    }

    public static String slowMode(int seconds) {
        return json(ordered("type", "slowmode", "seconds", seconds));
    }

    public static String viewers(int count) {
        return json(ordered("type", "viewers", "count", count));
    }

    public static String error(String code, String message) {
        return json(ordered("type", "error", "code", code, "message", message));
    }

    /** One unmasked, final WebSocket text frame carrying {@code frame}; read-only, so give each connection a duplicate. */
    public static ByteBuffer wire(String frame) {
        TextFrame text = new TextFrame();
        text.setPayload(ByteBuffer.wrap(frame.getBytes(StandardCharsets.UTF_8)));
        text.setFin(true);
        synchronized (ENCODER) {
            return ENCODER.createBinaryFrame(text).asReadOnlyBuffer();
        }
    }

    private static Map<String, Object> fields(ChatMessage m) {
        return ordered("id", m.id(), "user", m.user(), "userId", m.userId(), "text", m.text(), "ts", m.ts());
    }

    private static Map<String, Object> ordered(Object... pairs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static String json(Object frame) {
        try {
            return MAPPER.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a chat frame", e);
        }
    }
}
