package io.hopgate.media;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * Refuses a new port pair while fewer than {@link #RESERVE} open files would be left under the process's limit.
 *
 * <p>Why: when the last descriptor goes to a media socket, the JVM can no longer open a jar to load a class, a log
 * file or a control socket, and the thread that hit it dies (seen: the control thread died with
 * NoClassDefFoundError and the gateway stopped answering). Refusing the Add a little early keeps control, Redis
 * and logging working and the calls already up untouched (docs/architecture.md, resource limits).
 *
 * <p>Counting open files lists /proc/self/fd, which costs more as the count grows; far from the limit it is
 * counted only every {@link #RECOUNT_EVERY} pairs, which cannot use up the margin in between.
 */
final class DescriptorBudget {
    /** Open files kept free for everything but media sockets: class loading, logs, control, Redis, admin. */
    static final int RESERVE = 64;
    private static final int FAR = 1024;
    private static final int RECOUNT_EVERY = 64;

    private final UnixOperatingSystemMXBean os;
    private long lastOpen;
    private int sinceCount = RECOUNT_EVERY;

    DescriptorBudget() {
        OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
        this.os = bean instanceof UnixOperatingSystemMXBean unix ? unix : null;
    }

    /** Throws when {@code needed} more descriptors would leave fewer than {@link #RESERVE} free. */
    synchronized void reserve(int needed) throws MediaPlaneException {
        if (os == null) {
            return; // not a Unix JVM: the bind itself reports running out
        }
        long max = os.getMaxFileDescriptorCount();
        if (max <= 0 || max == Long.MAX_VALUE) {
            return;
        }
        if (max - lastOpen < FAR || ++sinceCount >= RECOUNT_EVERY) {
            lastOpen = os.getOpenFileDescriptorCount();
            sinceCount = 0;
        }
        if (lastOpen + needed > max - RESERVE) {
            throw new MediaPlaneException(MediaPlaneException.Kind.PORTS_EXHAUSTED, "Too many open files: "
                + lastOpen + " of the open file limit " + max + " in use and " + RESERVE
                + " kept free for control and logging; each termination takes " + needed);
        }
    }
}
