package io.hopgate.control.load;

import io.hopgate.media.MediaContext;
import io.hopgate.media.MediaPlane;
import io.hopgate.media.MediaPlaneConfig;
import io.hopgate.media.MediaPlaneException;
import io.hopgate.media.StreamMode;
import io.hopgate.media.Termination;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Calls set up directly in a {@link MediaPlane} of this JVM: one context per call with two SEND_RECV terminations,
 * the remote of the first being leg A's socket and of the second leg B's. Generator and relay then share the JVM and
 * its CPUs, so figures measured this way are not relay-only figures.
 *
 * <p>Threads: {@link #setup} and {@link #teardown} are called by the load generator's calling thread.
 */
public final class InProcessCallSetup implements CallSetup {
    private final MediaPlane plane;
    private final boolean ownsPlane;
    private final List<MediaContext> contexts = new ArrayList<>();

    /** Uses {@code plane}, which the caller keeps and closes; teardown deletes the contexts created here. */
    public InProcessCallSetup(MediaPlane plane) {
        this(plane, false);
    }

    private InProcessCallSetup(MediaPlane plane, boolean ownsPlane) {
        this.plane = plane;
        this.ownsPlane = ownsPlane;
    }

    /** Starts a media plane of its own with {@code config}; teardown closes it. */
    public static InProcessCallSetup start(MediaPlaneConfig config) {
        return new InProcessCallSetup(MediaPlane.start(config), true);
    }

    public MediaPlane plane() {
        return plane;
    }

    @Override
    public List<CallLegs> setup(int calls, List<InetSocketAddress> legAddresses) throws MediaPlaneException {
        if (legAddresses.size() != 2 * calls) {
            throw new IllegalArgumentException("calls=" + calls + " need " + 2 * calls + " leg addresses, got "
                + legAddresses.size());
        }
        List<CallLegs> legs = new ArrayList<>(calls);
        for (int i = 0; i < calls; i++) {
            MediaContext context = plane.createContext();
            contexts.add(context);
            Termination a = plane.add(context, StreamMode.SEND_RECV, legAddresses.get(2 * i));
            Termination b = plane.add(context, StreamMode.SEND_RECV, legAddresses.get(2 * i + 1));
            legs.add(new CallLegs(a.localRtp(), b.localRtp()));
        }
        return legs;
    }

    @Override
    public void teardown() throws MediaPlaneException {
        try {
            if (ownsPlane) {
                plane.close(); // closes every socket at once; quicker than subtracting thousands one by one
            } else {
                for (MediaContext context : contexts) {
                    if (plane.context(context.id()) == context) {
                        plane.deleteContext(context);
                    }
                }
            }
        } finally {
            contexts.clear();
        }
    }
}
