package io.hopgate.control.gateway;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;

/** Names the process's open file limit in an error caused by reaching it, so the operator knows what to raise. */
final class FdLimit {
    private FdLimit() {
    }

    /** {@code message}, with the limit and how to raise it appended when it says descriptors ran out. */
    static String named(String message) {
        if (message == null || !message.contains("Too many open files")) {
            return message;
        }
        long max = ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
            ? unix.getMaxFileDescriptorCount() : -1;
        return message + " (open file limit " + (max < 0 ? "" : max + " ") + "reached: raise ulimit -n / LimitNOFILE)";
    }
}
