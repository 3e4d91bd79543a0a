package io.castpipe.common.config;

/**
 * A problem a person must fix in the configuration or the environment. Its message is one
 * sentence that says what is wrong and how to fix it; it is printed without a stack trace.
 */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    /** For a listener that could not bind: names the port and the variable that moves it. */
    public static ConfigException portInUse(String what, int port, Setting setting, Throwable cause) {
        return new ConfigException(what + " port " + port + " is already in use; stop what holds it or set "
                + setting.env() + " to a free port", cause);
    }
}
