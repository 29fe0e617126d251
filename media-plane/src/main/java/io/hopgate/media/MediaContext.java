package io.hopgate.media;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A set of terminations whose media may flow between each other, with the topology of each ordered pair.
 *
 * <p>Threads: changed only by control threads under the {@link MediaPlane} command lock. After each change the
 * route table of every member is rebuilt and published whole (copy-on-write, release store), so the I/O thread
 * never sees a half-built table. All members are registered on the same I/O loop, which therefore owns every
 * egress rewriter it touches.
 */
public final class MediaContext {
    private final int id;
    final IoLoop loop;
    private final List<Termination> members = new CopyOnWriteArrayList<>();
    /** Topology of ordered pairs set by control; a pair absent here (in both orders) is bothway. */
    private final Map<Long, Topology> topology = new HashMap<>();

    MediaContext(int id, IoLoop loop) {
        this.id = id;
        this.loop = loop;
    }

    public int id() {
        return id;
    }

    /** Members in the order they were added. */
    public List<Termination> terminations() {
        return List.copyOf(members);
    }

    int size() {
        return members.size();
    }

    boolean contains(Termination t) {
        return members.contains(t);
    }

    void add(Termination t) {
        members.add(t);
        rebuildRoutes();
    }

    void remove(Termination t) {
        members.remove(t);
        topology.keySet().removeIf(k -> (int) (k >>> 32) == t.index() || (int) (long) k == t.index());
        t.routes(Termination.NO_ROUTES);
        rebuildRoutes();
    }

    /**
     * Sets the topology of (from, to) as H.248 does: the triple replaces whatever was said of the pair in either
     * order. Oneway lets media flow from {@code from} to {@code to} only.
     */
    void topology(Termination from, Termination to, Topology value) {
        topology.remove(key(to, from));
        topology.put(key(from, to), value);
        rebuildRoutes();
    }

    /** Whether media may flow from {@code from} to {@code to} by topology alone. */
    public boolean flows(Termination from, Termination to) {
        Topology forward = topology.get(key(from, to));
        if (forward != null) {
            return forward != Topology.ISOLATE;
        }
        Topology backward = topology.get(key(to, from));
        return backward == null || backward == Topology.BOTHWAY;
    }

    /** The topology of the pair as an H.248 triple would state it from {@code from}'s side. */
    public Topology topology(Termination from, Termination to) {
        Topology forward = topology.get(key(from, to));
        if (forward != null) {
            return forward;
        }
        Topology backward = topology.get(key(to, from));
        if (backward == null || backward == Topology.BOTHWAY) {
            return Topology.BOTHWAY;
        }
        return Topology.ISOLATE; // oneway the other way: nothing flows from 'from' to 'to'
    }

    /** One topology triple that was set explicitly (pairs never set are bothway). */
    public record TopologyTriple(Termination from, Termination to, Topology topology) {
    }

    /** The triples set on this context, in member order. */
    public List<TopologyTriple> explicitTopology() {
        List<TopologyTriple> out = new ArrayList<>();
        for (Termination a : members) {
            for (Termination b : members) {
                Topology t = topology.get(key(a, b));
                if (t != null) {
                    out.add(new TopologyTriple(a, b, t));
                }
            }
        }
        return out;
    }

    private void rebuildRoutes() {
        for (Termination from : members) {
            List<Termination> to = new ArrayList<>();
            for (Termination candidate : members) {
                if (candidate != from && flows(from, candidate)) {
                    to.add(candidate);
                }
            }
            from.routes(to.toArray(Termination.NO_ROUTES));
        }
    }

    private static long key(Termination from, Termination to) {
        return ((long) from.index() << 32) | (to.index() & 0xFFFF_FFFFL);
    }

    @Override
    public String toString() {
        return "ctx=" + id;
    }
}
