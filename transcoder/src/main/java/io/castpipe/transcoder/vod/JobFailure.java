package io.castpipe.transcoder.vod;

/**
 * A job that cannot succeed however often it is tried: the input is not a usable video. Its
 * {@code code} is stable for programs; its message is for the person who uploaded the file.
 */
final class JobFailure extends Exception {
    private final String code;

    JobFailure(String code, String message) {
        super(message);
        this.code = code;
    }

    String code() {
        return code;
    }
}
