package io.castpipe.api.http;

/**
 * A request the API answers with an error: the HTTP status and the {@code code} and
 * {@code message} of the API's error shape. Expected, so it carries no stack trace.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final long retryAfterSeconds;

    public ApiException(int status, String code, String message) {
        this(status, code, message, 0);
    }

    private ApiException(int status, String code, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Seconds after which the same request may succeed (a {@code Retry-After} header); 0 for none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(401, "unauthorized", message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "forbidden", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    public static ApiException conflict(String code, String message) {
        return new ApiException(409, code, message);
    }

    public static ApiException tooLarge(String message) {
        return new ApiException(413, "too_large", message);
    }

    public static ApiException unsupportedMediaType(String message) {
        return new ApiException(415, "unsupported_media_type", message);
    }

    public static ApiException tooManyRequests(long retryAfterSeconds, String message) {
        return retryLater(429, "rate_limited", retryAfterSeconds, message);
    }

    /** A refusal that may succeed later (423, 429, 503), with the seconds to wait in {@code Retry-After}. */
    public static ApiException retryLater(int status, String code, long retryAfterSeconds, String message) {
        return new ApiException(status, code, message, Math.max(1, retryAfterSeconds));
    }
}
