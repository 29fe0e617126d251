package io.hopgate.control.config;

/**
 * A configuration or command-line value that stops start-up. The message is meant for a human on a
 * terminal: one line that names the key, the value, the rule it broke and where it came from.
 * {@code Main} prints it without a stack trace and exits with code 2.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
