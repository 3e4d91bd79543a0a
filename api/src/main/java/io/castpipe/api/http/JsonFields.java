package io.castpipe.api.http;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Typed, checked fields of a JSON request body; a wrong type is a 400 that names the field. */
public final class JsonFields {
    private final ObjectNode body;

    public JsonFields(ObjectNode body) {
        this.body = body;
    }

    public Optional<String> text(String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest("invalid_field", "'" + field + "' must be a string");
        }
        return Optional.of(v.asText());
    }

    public String requiredText(String field) {
        return text(field).orElseThrow(() -> ApiException.badRequest("missing_field", "'" + field + "' is required"));
    }

    public Optional<Long> wholeNumber(String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiException.badRequest("invalid_field", "'" + field + "' must be a whole number");
        }
        return Optional.of(v.asLong());
    }

    public Optional<JsonNode> node(String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v);
    }
}
