package io.castpipe.common.events;

import java.io.IOException;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The records Castpipe puts on Kafka: JSON, where unknown fields are ignored so producers may add
 * some, except an {@link HlsUpdate}, which carries media and goes in {@link HlsUpdateCodec binary}
 * (read from JSON too, as a node of an earlier release wrote it).
 */
public final class EventCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private EventCodec() {
    }

    public static byte[] encode(Object event) {
        if (event instanceof HlsUpdate update) {
            return HlsUpdateCodec.encode(update);
        }
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode " + event.getClass().getSimpleName(), e);
        }
    }

    /** @throws IllegalArgumentException for bytes that are not such a record */
    public static <T> T decode(byte[] bytes, Class<T> type) {
        if (type == HlsUpdate.class && bytes.length > 0 && bytes[0] != '{') {
            return type.cast(HlsUpdateCodec.decode(bytes));
        }
        try {
            return MAPPER.readValue(bytes, type);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
