package io.hopgate.rtp.sdp;

/** Media direction attribute (RFC 4566 section 6): {@code a=sendrecv}, {@code a=sendonly} and so on. */
public enum Direction {
    SENDRECV("sendrecv"),
    SENDONLY("sendonly"),
    RECVONLY("recvonly"),
    INACTIVE("inactive");

    private final String attribute;

    Direction(final String attribute) {
        this.attribute = attribute;
    }

    /** @return the attribute text without "a=", e.g. "sendonly". */
    public String attribute() {
        return attribute;
    }

    /** @return the direction named by an attribute, or null when the attribute is not a direction. */
    public static Direction fromAttribute(final String attribute) {
        for (final Direction direction : values()) {
            if (direction.attribute.equals(attribute)) {
                return direction;
            }
        }
        return null;
    }
}
