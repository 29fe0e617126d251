package io.hopgate.control.callserver;

/** An event the call server refuses: {@code status} is the HTTP status (400, 404, 409, 502), {@code state} the call's. */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String state;

    public ApiException(int status, String message, String state) {
        super(message);
        this.status = status;
        this.state = state;
    }

    public int status() {
        return status;
    }

    /** The call's state when the event was refused, or null. */
    public String state() {
        return state;
    }
}
