package io.hopgate.rtp.sdp;

/**
 * A {@code c=} line: {@code c=<nettype> <addrtype> <connection-address>}. The address may be {@code $}
 * (H.248: the gateway chooses) and is otherwise kept as written (including a multicast {@code /ttl}).
 */
public record Connection(String networkType, String addressType, String address) {
    public static final String CHOOSE = "$";
    public static final String IN = "IN";
    public static final String IP4 = "IP4";
    public static final String IP6 = "IP6";

    public Connection {
        if (networkType == null || addressType == null || address == null) {
            throw new IllegalArgumentException(
                "connection fields must not be null: " + networkType + " " + addressType + " " + address);
        }
    }

    public static Connection in(final String addressType, final String address) {
        return new Connection(IN, addressType, address);
    }

    /** @return true when the address is the wildcard {@code $}. */
    public boolean isChoose() {
        return CHOOSE.equals(address);
    }

    public boolean isIp6() {
        return IP6.equals(addressType);
    }

    /** @return the text after {@code c=}. */
    public String format() {
        return networkType + ' ' + addressType + ' ' + address;
    }
}
