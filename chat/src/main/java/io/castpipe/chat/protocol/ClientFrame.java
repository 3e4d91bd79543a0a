package io.castpipe.chat.protocol;

/** What a client may send, decoded and checked by {@link ClientFrames}. */
public sealed interface ClientFrame {

    /** {@code {"type":"message","text"}} */
    record Post(String text) implements ClientFrame {
    }

    /** {@code {"type":"delete","id"}} */
    record Delete(String id) implements ClientFrame {
    }

    /** {@code {"type":"timeout","user","seconds"}} */
    record Timeout(String user, int seconds) implements ClientFrame {
    }

    /** {@code {"type":"ban","user"}} and {@code {"type":"unban","user"}} */
    record Ban(String user, boolean banned) implements ClientFrame {
    }

    /** {@code {"type":"slowmode","seconds"}}, 0 for off */
    record SlowMode(int seconds) implements ClientFrame {
    }
}
