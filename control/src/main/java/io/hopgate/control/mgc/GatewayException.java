package io.hopgate.control.mgc;

/** An H.248 transaction toward a gateway failed: an Error descriptor (code and text), a timeout or a bad reply. */
public final class GatewayException extends RuntimeException {
    private final String gateway;
    private final int code;

    public GatewayException(String gateway, int code, String message, Throwable cause) {
        super(gateway + ": " + (code > 0 ? "error " + code + " " : "") + message, cause);
        this.gateway = gateway;
        this.code = code;
    }

    public String gateway() {
        return gateway;
    }

    /** The H.248 error code, or 0 when the failure was not an Error descriptor (timeout, bad reply). */
    public int code() {
        return code;
    }
}
