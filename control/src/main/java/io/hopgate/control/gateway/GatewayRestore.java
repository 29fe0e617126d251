package io.hopgate.control.gateway;

import io.hopgate.control.state.ContextSnapshot;
import io.hopgate.control.state.ContextSnapshot.TerminationSnapshot;
import io.hopgate.control.state.ContextSnapshot.TopologyEntry;
import io.hopgate.control.state.StateRecorder;
import io.hopgate.control.state.StateStoreException;
import io.hopgate.media.EgressState;
import io.hopgate.media.MediaContext;
import io.hopgate.media.MediaPlane;
import io.hopgate.media.MediaPlaneException;
import io.hopgate.media.RemoteAddress;
import io.hopgate.media.SenderCounts;
import io.hopgate.media.StreamMode;
import io.hopgate.media.Termination;
import io.hopgate.media.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Re-creates the contexts {@code state.redis} holds for this gateway at start-up, before the H.248 endpoint answers:
 * the same context and termination ids, the same local ports bound again, remotes, modes, topology, moves and egress
 * continuity, so media resumes without a control command. A termination whose port cannot be bound is reported and
 * left out (its context keeps the others); the store is then corrected.
 */
final class GatewayRestore {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayRestore.class);

    /**
     * What start-up restored.
     *
     * @param storeRead  true when the store could be read (else nothing was restored and it is resynchronised later)
     * @param contexts   contexts restored (with at least one termination)
     * @param restored   terminations restored
     * @param failed     terminations that could not be restored: id to its context id
     */
    record Report(boolean storeRead, int contexts, int restored, Map<String, Integer> failed) {
    }

    private GatewayRestore() {
    }

    /**
     * Restores every context of this gateway; {@code sideData} takes each restored termination's front-end
     * attributes (H.248 SDP, or an ng call's).
     */
    static Report run(MediaPlane plane, GatewayCallState callState,
                      BiConsumer<Termination, Map<String, String>> sideData) {
        StateRecorder recorder = callState.recorder();
        IdEpoch.apply(plane, IdEpoch.fromStore(recorder.store()));
        List<ContextSnapshot> saved;
        try {
            saved = recorder.store().loadAll();
        } catch (StateStoreException e) {
            LOG.warn("call state not restored: state.redis cannot be read store={} cause={}",
                recorder.store().describe(), e.getMessage());
            recorder.storeUnknown();
            return new Report(false, 0, 0, Map.of());
        }
        recorder.restored(saved);
        Map<String, String> sent = senderCounts(recorder);
        Map<String, Integer> failed = new HashMap<>();
        int contexts = 0;
        int restored = 0;
        for (ContextSnapshot c : saved) {
            MediaContext context;
            try {
                context = plane.restoreContext(c.id());
            } catch (MediaPlaneException e) {
                LOG.warn("context not restored ctx={} cause={}", c.id(), e.getMessage());
                c.terminations().forEach(t -> failed.put(t.id(), c.id()));
                continue;
            }
            Map<String, Termination> byId = new HashMap<>();
            for (TerminationSnapshot t : c.terminations()) {
                try {
                    byId.put(t.id(), restore(plane, sideData, callState, context, t, sent.get(t.id())));
                    restored++;
                } catch (MediaPlaneException | RuntimeException e) {
                    LOG.warn("termination not restored ctx={} term={} port={} cause={}", c.id(), t.id(), t.rtpPort(),
                        e.getMessage());
                    failed.put(t.id(), c.id());
                }
            }
            for (TopologyEntry e : c.topology()) {
                Termination from = byId.get(e.from());
                Termination to = byId.get(e.to());
                if (from != null && to != null) {
                    try {
                        plane.topology(context, from, to, Topology.valueOf(e.topology().toUpperCase(Locale.ROOT)));
                    } catch (MediaPlaneException | IllegalArgumentException ex) {
                        LOG.warn("topology not restored ctx={} from={} to={} cause={}", c.id(), e.from(), e.to(),
                            ex.getMessage());
                    }
                }
            }
            if (!byId.isEmpty()) {
                contexts++;
            }
            plane.deleteIfEmpty(context);
            // Writes the context as it now is (drops what failed; deletes it when nothing was restored).
            callState.recordRestored(c.id());
        }
        for (Integer id : failed.values()) {
            if (plane.context(id) == null) {
                callState.recordRestored(id);
            }
        }
        LOG.info("call state restored store={} contexts={} terminations={} failed={}", recorder.store().describe(),
            contexts, restored, failed.size());
        return new Report(true, contexts, restored, Map.copyOf(failed));
    }

    /** The RTCP sender counts the last sweep kept, by termination id; empty when they cannot be read. */
    private static Map<String, String> senderCounts(StateRecorder recorder) {
        try {
            return recorder.store().loadTable(GatewayCallState.SENT_TABLE);
        } catch (StateStoreException e) {
            LOG.warn("RTCP sender counts not restored store={} cause={}", recorder.store().describe(),
                e.getMessage());
            return Map.of();
        }
    }

    /** The sender counts kept for a termination ({@code packets:octets}), or null when none or unreadable. */
    private static SenderCounts senderCounts(String id, String kept) {
        if (kept == null) {
            return null;
        }
        int colon = kept.indexOf(':');
        try {
            return new SenderCounts(Long.parseLong(kept.substring(0, colon)),
                Long.parseLong(kept.substring(colon + 1)));
        } catch (RuntimeException e) {
            LOG.warn("RTCP sender counts not restored term={} kept={} cause={}", id, kept, e.toString());
            return null;
        }
    }

    private static Termination restore(MediaPlane plane, BiConsumer<Termination, Map<String, String>> sideData,
        GatewayCallState callState, MediaContext context, TerminationSnapshot t, String sent)
        throws MediaPlaneException {
        RemoteAddress remote = null;
        if (t.remote() != null) {
            InetSocketAddress rtp = GatewayCallState.parse(t.remote());
            remote = RemoteAddress.of(rtp);
            long leftMs = t.previousUntilMs() - System.currentTimeMillis();
            if (t.previousRemote() != null && leftMs > 0) {
                remote = new RemoteAddress(remote.rtp(), remote.rtcp(), GatewayCallState.parse(t.previousRemote()),
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(leftMs));
            }
        }
        ContextSnapshot.Egress e = t.egress();
        EgressState egress = e == null ? null : new EgressState(e.sourceIndex(), e.sourceSsrc(), e.outputSsrc(),
            e.sequenceOffset(), e.timestampOffset(), e.lastSequence(), e.lastTimestamp(), 0,
            senderCounts(t.id(), sent));
        Termination term = plane.restore(context, t.id(), t.index(), t.rtpPort(), StreamMode.valueOf(t.mode()), remote,
            egress);
        plane.clockRate(term, t.clockRate());
        if (t.moving()) {
            plane.moving(term, true);
        }
        sideData.accept(term, t.attributes());
        callState.restored(t.id(), context.id(), e);
        return term;
    }

    /** Ids of the failed terminations, sorted, for the log and the ServiceChange. */
    static List<String> sortedIds(Map<String, Integer> failed) {
        List<String> ids = new ArrayList<>(failed.keySet());
        ids.sort(null);
        return ids;
    }
}
