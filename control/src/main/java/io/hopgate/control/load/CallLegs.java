package io.hopgate.control.load;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The gateway side of one call: where leg A sends (the relay port of A's termination) and where leg B sends.
 * What leg A sends must come out at leg B and the other way round.
 *
 * @param relayA the gateway address leg A sends its RTP to
 * @param relayB the gateway address leg B sends its RTP to
 */
public record CallLegs(InetSocketAddress relayA, InetSocketAddress relayB) {
    public CallLegs {
        Objects.requireNonNull(relayA, "relayA");
        Objects.requireNonNull(relayB, "relayB");
    }
}
