package io.castpipe.chat.protocol;

/**
 * Why a client's frame was not taken, as the {@code error} frame tells it: a stable {@code code}
 * for programs and a sentence for people. Thrown where the refusal is found; it carries no stack
 * trace since it is an answer, not a fault.
 */
public final class Refusal extends Exception {
    private final String code;

    public Refusal(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
