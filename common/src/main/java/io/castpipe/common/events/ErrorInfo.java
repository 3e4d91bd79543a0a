package io.castpipe.common.events;

/** Why something failed: a stable {@code code} for programs and a {@code message} for people. */
public record ErrorInfo(String code, String message) {
}
