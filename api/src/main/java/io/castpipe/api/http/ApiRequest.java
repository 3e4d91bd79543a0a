package io.castpipe.api.http;

import java.io.IOException;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.castpipe.api.auth.Caller;
import io.castpipe.common.media.Ids;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Protocols;
import io.undertow.util.PathTemplateMatch;

/** An API request as endpoints see it: the caller, checked path ids, query values, a small JSON body. */
public final class ApiRequest {
    /** JSON bodies are small; anything bigger is refused before it is read. */
    public static final int MAX_JSON_BYTES = 64 * 1024;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final AttachmentKey<String> VIDEO_ID = AttachmentKey.create(String.class);

    /** What an upload body is received in: one chunk at a time in memory, the rest on disk or in storage. */
    private static final int UPLOAD_CHUNK_BYTES = 64 * 1024;

    private final HttpServerExchange exchange;
    private final Caller caller;
    private final byte[] body;
    private final BodyReceiver bodies;
    private final BodyAdmissions.Admission admission;

    /** @param admission the body's place among those arriving; null when the request has no body to stream */
    ApiRequest(HttpServerExchange exchange, Caller caller, byte[] body, BodyReceiver bodies, BodyAdmissions.Admission admission) {
        this.exchange = exchange;
        this.caller = caller;
        this.body = body;
        this.bodies = bodies;
        this.admission = admission;
    }

    public HttpServerExchange exchange() {
        return exchange;
    }

    public Caller caller() {
        return caller;
    }

    /** A path parameter that must be an id; checked before it can reach SQL or a storage key. */
    public String id(String name) {
        PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
        String value = match == null ? null : match.getParameters().get(name);
        if (!Ids.isValid(value)) {
            throw ApiException.badRequest("bad_id", "'" + abbreviate(value) + "' is not an id: ids are 16 characters of 0-9 and a-z");
        }
        return value;
    }

    /** A path parameter as sent; the endpoint validates it. */
    public String pathParam(String name) {
        PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
        return match == null ? null : match.getParameters().get(name);
    }

    /** Names the video this request is about, for the log line of an unexpected failure. */
    public void about(String videoId) {
        exchange.putAttachment(VIDEO_ID, videoId);
    }

    static String videoIdOf(HttpServerExchange exchange) {
        String id = exchange.getAttachment(VIDEO_ID);
        return id == null ? "-" : id;
    }

    public Optional<String> query(String name) {
        var values = exchange.getQueryParameters().get(name);
        return values == null || values.isEmpty() || values.getFirst().isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    /** A true/false query parameter, false when absent; anything else is a 400. */
    public boolean flag(String name) {
        return query(name).map(v -> switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiException.badRequest("invalid_query", "'" + name + "' must be true or false");
        }).orElse(false);
    }

    public Optional<String> header(HttpString name) {
        return Optional.ofNullable(exchange.getRequestHeaders().getFirst(name));
    }

    /** The body as a JSON object; an empty body is an empty object. */
    public ObjectNode json() {
        if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return MAPPER.createObjectNode();
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("invalid_json", "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("invalid_json", "the body is not valid JSON");
        }
        if (!(node instanceof ObjectNode object)) {
            throw ApiException.badRequest("invalid_json", "the body must be a JSON object");
        }
        return object;
    }

    static ApiException jsonTooLarge() {
        return ApiException.tooLarge("a JSON body may be at most " + MAX_JSON_BYTES + " bytes");
    }

    /**
     * Streams the body, of any size the listener's cap allows once raised here, into {@code sink}
     * as it arrives (see {@link BodyReceiver}); the sink answers the request. Call it last.
     */
    public void receiveBody(BodySink sink) {
        exchange.setMaxEntitySize(Long.MAX_VALUE);
        bodies.receive(exchange, admission, UPLOAD_CHUNK_BYTES, sink);
    }

    /**
     * Refuses a body of unknown length: chunked (HTTP/1.1), or without Content-Length (HTTP/2;
     * a request whose stream ended with its headers has no body and goes on, to be refused as
     * empty). The listener fixes the size cap of such a body before any handler runs, so an
     * upload could not be allowed past it; with a Content-Length it can.
     */
    public void requireContentLength() {
        boolean http2WithoutLength = exchange.getProtocol().equals(Protocols.HTTP_2_0)
                && !exchange.getRequestHeaders().contains(Headers.CONTENT_LENGTH) && !exchange.isRequestComplete();
        if (exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING) || http2WithoutLength) {
            throw new ApiException(411, "length_required",
                    "send the body with a Content-Length header; chunked bodies are not accepted here");
        }
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
