package io.hopgate.control.ng;

/**
 * A command that cannot be carried out: becomes {@code result: error} with this message as {@code error-reason}
 * (rtpengine's ng protocol: no other keys in the error case). The message names the bad value and the limit.
 */
final class NgException extends RuntimeException {
    NgException(String reason) {
        super(reason, null, false, false);
    }
}
