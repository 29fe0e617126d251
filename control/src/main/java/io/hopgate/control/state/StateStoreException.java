package io.hopgate.control.state;

/** The call state store could not be reached, timed out, or answered an error; the message names which. */
public final class StateStoreException extends RuntimeException {
    public StateStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
