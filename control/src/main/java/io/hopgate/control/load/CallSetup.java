package io.hopgate.control.load;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Creates the calls a load run sends through, and removes them afterwards: in process through the media-plane API
 * ({@link InProcessCallSetup}) or, later, over H.248 against a running gateway.
 */
public interface CallSetup {
    /**
     * Sets up {@code calls} calls.
     *
     * @param calls        number of calls
     * @param legAddresses the generator's socket addresses, {@code 2 * calls} of them: leg A of call {@code i} at
     *                     {@code 2 * i}, leg B at {@code 2 * i + 1}; the gateway must accept RTP from and send RTP
     *                     to exactly these
     * @return one {@link CallLegs} per call, in call order
     */
    List<CallLegs> setup(int calls, List<InetSocketAddress> legAddresses) throws Exception;

    /** Removes what {@link #setup} created; called once, also after a failed or partial set-up. */
    void teardown() throws Exception;
}
