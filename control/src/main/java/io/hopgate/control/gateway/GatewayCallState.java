package io.hopgate.control.gateway;

import io.hopgate.control.h248.ErrorCode;
import io.hopgate.control.h248.ErrorDescriptor;
import io.hopgate.control.state.ContextSnapshot;
import io.hopgate.control.state.ContextSnapshot.Egress;
import io.hopgate.control.state.ContextSnapshot.TerminationSnapshot;
import io.hopgate.control.state.ContextSnapshot.TopologyEntry;
import io.hopgate.control.state.StateRecorder;
import io.hopgate.media.EgressState;
import io.hopgate.media.MediaContext;
import io.hopgate.media.MediaPlane;
import io.hopgate.media.RemoteAddress;
import io.hopgate.media.Termination;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The gateway's call state in {@code state.redis}: after every H.248 action the context it touched is recorded
 * before the reply goes out ({@link #afterAction}); a sweep every {@code sweepMs} records what changes without a
 * command (egress continuity at a source switch, a latched source, the end of a dual-receive window).
 *
 * <p>With {@code state.on-failure=refuse} an action whose state could not be written answers 510; its effect on the
 * media plane stays (the commands before a failed one stay done, H.248.1 section 8.2.2), so the controller knows that
 * this context would not survive a restart and may release it.
 *
 * <p>Threads: {@link #afterAction} on the control thread, the sweep on its own thread; both build and record a
 * context's snapshot under this object's lock and the media plane's, so the newest build is always recorded last.
 */
final class GatewayCallState implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayCallState.class);

    private final MediaPlane plane;
    private final StateRecorder recorder;
    private final boolean refuseOnFailure;
    /**
     * Front-end side data of a termination (H.248 SDP, or an ng call's attributes); called on the thread of the
     * front end whose command is being recorded.
     */
    private final Function<Termination, Map<String, String>> attributes;
    /** Context each termination was last recorded in, to re-record the context a Move took it from. */
    private final Map<String, Integer> recordedIn = new ConcurrentHashMap<>();
    /** Egress continuity last read per termination id; replaced only at a source switch. */
    private final Map<String, Egress> egress = new ConcurrentHashMap<>();
    /** Wall-clock end of each termination's dual-receive window, computed once per remote change. */
    private final Map<String, DualReceive> dualReceive = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;
    /** The RTCP sender counts last handed to the recorder, by termination id ({@code packets:octets}); sweep only. */
    private Map<String, String> sentWritten = Map.of();
    /** The store's table of RTCP sender counts (docs/ha.md, "RTCP sender counts"). */
    static final String SENT_TABLE = "sent";

    private record DualReceive(RemoteAddress remote, long untilMs) {
    }

    GatewayCallState(MediaPlane plane, StateRecorder recorder, boolean refuseOnFailure,
        Function<Termination, Map<String, String>> attributes, long sweepMs) {
        this.plane = plane;
        this.recorder = recorder;
        this.refuseOnFailure = refuseOnFailure;
        this.attributes = attributes;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hopgate-state-sweep");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, sweepMs, sweepMs, TimeUnit.MILLISECONDS);
    }

    StateRecorder recorder() {
        return recorder;
    }

    /**
     * Records the context an action ran in (and the one a Move took a termination from). Returns the 510 error to
     * answer when the state could not be written and the policy is {@code refuse}; else null.
     */
    ErrorDescriptor afterAction(MediaContext context) {
        if (context == null) {
            return null;
        }
        StateRecorder.Outcome outcome = recordContext(context.id(), true);
        if (outcome == StateRecorder.Outcome.NOT_WRITTEN && refuseOnFailure) {
            return ErrorDescriptor.of(ErrorCode.INSUFFICIENT_RESOURCES, "call state of context " + context.id()
                + " not written to state.redis (state.on-failure=refuse; the change is applied but would not survive"
                + " a restart)");
        }
        return null;
    }

    /** Builds and records one context (and any context its terminations were last recorded in). */
    private synchronized StateRecorder.Outcome recordContext(int contextId, boolean fromControl) {
        List<Integer> others = new ArrayList<>();
        ContextSnapshot snapshot;
        synchronized (plane) {
            MediaContext context = plane.context(contextId);
            snapshot = context == null ? null : snapshot(context, fromControl);
        }
        StateRecorder.Outcome outcome;
        if (snapshot == null) {
            recordedIn.values().removeIf(id -> id == contextId);
            outcome = recorder.remove(contextId);
        } else {
            for (TerminationSnapshot t : snapshot.terminations()) {
                Integer was = recordedIn.put(t.id(), contextId);
                if (was != null && was != contextId) {
                    others.add(was);
                }
            }
            outcome = recorder.record(snapshot);
        }
        for (int other : others) {
            if (recordContext(other, fromControl) == StateRecorder.Outcome.NOT_WRITTEN) {
                outcome = StateRecorder.Outcome.NOT_WRITTEN;
            }
        }
        if (fromControl) {
            forgetSubtracted();
        }
        return outcome;
    }

    private void forgetSubtracted() {
        recordedIn.keySet().removeIf(id -> plane.termination(id) == null);
        egress.keySet().removeIf(id -> plane.termination(id) == null);
        dualReceive.keySet().removeIf(id -> plane.termination(id) == null);
    }

    /** Under the media plane's lock, so membership, topology and remotes are read as one state. */
    private ContextSnapshot snapshot(MediaContext context, boolean fromControl) {
        ContextSnapshot before = recorder.latest(context.id());
        Map<String, TerminationSnapshot> previous = new HashMap<>();
        if (before != null) {
            for (TerminationSnapshot t : before.terminations()) {
                previous.put(t.id(), t);
            }
        }
        List<TerminationSnapshot> terms = new ArrayList<>();
        for (Termination t : context.terminations()) {
            RemoteAddress r = t.remote();
            String previousRemote = null;
            long previousUntilMs = 0;
            if (r != null && r.previousRtp() != null && r.previousUntilNanos() - System.nanoTime() > 0) {
                DualReceive d = dualReceive.compute(t.id(), (id, old) -> old != null && old.remote() == r ? old
                    : new DualReceive(r, System.currentTimeMillis()
                        + TimeUnit.NANOSECONDS.toMillis(r.previousUntilNanos() - System.nanoTime())));
                previousRemote = format(r.previousRtp());
                previousUntilMs = d.untilMs();
            }
            TerminationSnapshot old = previous.get(t.id());
            // The sweep runs off the control thread, which alone may read the H.248 side data: it keeps the last one.
            Map<String, String> attrs = fromControl ? attributes.apply(t) : old == null ? Map.of() : old.attributes();
            terms.add(new TerminationSnapshot(t.id(), t.index(), t.rtpPort(), r == null ? null : format(r.rtp()),
                t.mode().name(), t.isMoving(), t.clockRate(), previousRemote, previousUntilMs, egress.get(t.id()),
                attrs));
        }
        List<TopologyEntry> topology = new ArrayList<>();
        for (MediaContext.PairTopology triple : context.explicitTopology()) {
            topology.add(new TopologyEntry(triple.from().id(), triple.to().id(),
                triple.topology().name().toLowerCase(Locale.ROOT)));
        }
        return new ContextSnapshot(context.id(), terms, topology);
    }

    /** Reads every termination's egress state on its I/O thread and records the contexts where something changed. */
    private void sweep() {
        try {
            List<Termination> all = new ArrayList<>(plane.terminations());
            List<CompletableFuture<EgressState>> reads = new ArrayList<>();
            for (Termination t : all) {
                reads.add(plane.egress(t));
            }
            Map<String, String> sent = new HashMap<>();
            for (int i = 0; i < all.size(); i++) {
                EgressState e;
                try {
                    e = reads.get(i).get(1, TimeUnit.SECONDS);
                } catch (Exception failed) {
                    String kept = sentWritten.get(all.get(i).id()); // the loop is busy or closing: keep the last
                    if (kept != null) {
                        sent.put(all.get(i).id(), kept);
                    }
                    continue; // next sweep
                }
                if (e == null) {
                    continue;
                }
                MediaContext context = all.get(i).context();
                if (context != null && recorder.latest(context.id()) != null) {
                    sent.put(all.get(i).id(), e.sent().packets() + ":" + e.sent().octets());
                }
                Egress now = new Egress(e.sourceIndex(), e.sourceSsrc(), e.outputSsrc(), e.sequenceOffset(),
                    e.timestampOffset(), e.lastSequence(), e.lastTimestamp());
                // Only a new source (or new offsets) replaces it: last sequence and timestamp change with every packet.
                egress.merge(all.get(i).id(), now, (old, fresh) -> sameSource(old, fresh) ? old : fresh);
            }
            recordSenderCounts(sent);
            for (MediaContext c : plane.contexts()) {
                // Only contexts a front end recorded (an H.248 action or an ng command): a context created but not
                // yet recorded has no side data to come back with.
                if (recorder.latest(c.id()) != null) {
                    recordContext(c.id(), false);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("call state sweep failed cause={}", e.toString());
        }
    }

    /**
     * Replaces the store's table of RTCP sender counts (read with the egress state) when any changed, in one write
     * that no control thread waits for (one write per sweep, whatever the call count).
     */
    private void recordSenderCounts(Map<String, String> sent) {
        if (!sent.equals(sentWritten) && recorder.replicating()) {
            recorder.recordTable(SENT_TABLE, sent);
            sentWritten = sent;
        }
    }

    private static boolean sameSource(Egress a, Egress b) {
        return a.sourceIndex() == b.sourceIndex() && a.sourceSsrc() == b.sourceSsrc()
            && a.outputSsrc() == b.outputSsrc() && a.sequenceOffset() == b.sequenceOffset()
            && a.timestampOffset() == b.timestampOffset();
    }

    /** At start-up (before the control endpoint runs): records a restored context as the media plane now has it. */
    void recordRestored(int contextId) {
        recordContext(contextId, true);
    }

    /** Seeds what was restored, so the first sweep does not rewrite it. */
    void restored(String terminationId, int contextId, Egress restoredEgress) {
        recordedIn.put(terminationId, contextId);
        if (restoredEgress != null) {
            egress.put(terminationId, restoredEgress);
        }
    }

    static String format(InetSocketAddress a) {
        String ip = a.getAddress().getHostAddress();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }

    static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        String host = text.substring(0, colon);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, Integer.parseInt(text.substring(colon + 1)));
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        try {
            sweeper.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
