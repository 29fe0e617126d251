package io.hopgate.media;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A set of terminations whose media may flow between each other, with the topology of each ordered pair.
 *
 * <p>Threads: membership and topology are control-side bookkeeping, changed only under the {@link MediaPlane}
 * command lock. Each change computes the route table of every member anew and returns it as a {@link Runnable}
 * that publishes the tables whole; {@link MediaPlane} runs it on the context's loop, the only writer of routes
 * (docs/architecture.md section 4), so the loop never sees a half-built table. All members are registered on that
 * loop, which therefore owns every egress rewriter it touches.
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

    /** Adds a member; returns the route publication to run on this context's loop. */
    Runnable add(Termination t) {
        members.add(t);
        return routeTables(null);
    }

    /** Removes a member and what was said of its pairs; the publication also empties its own routes. */
    Runnable remove(Termination t) {
        members.remove(t);
        topology.keySet().removeIf(k -> (int) (k >>> 32) == t.index() || (int) (long) k == t.index());
        return routeTables(t);
    }

    /**
     * Sets the topology of (from, to) as H.248 does: the triple replaces whatever was said of the pair in either
     * order. Oneway lets media flow from {@code from} to {@code to} only.
     */
    Runnable topology(Termination from, Termination to, Topology value) {
        topology.remove(key(to, from));
        topology.put(key(from, to), value);
        return routeTables(null);
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
    public record PairTopology(Termination from, Termination to, Topology topology) {
    }

    /** The triples set on this context, in member order. */
    public List<PairTopology> explicitTopology() {
        List<PairTopology> out = new ArrayList<>();
        for (Termination a : members) {
            for (Termination b : members) {
                Topology t = topology.get(key(a, b));
                if (t != null) {
                    out.add(new PairTopology(a, b, t));
                }
            }
        }
        return out;
    }

    /**
     * The route table of every member, computed now (immutable arrays); the task publishes them, one release store
     * each, and empties {@code removed}'s routes when given.
     */
    private Runnable routeTables(Termination removed) {
        Termination[] owners = members.toArray(Termination.NO_ROUTES);
        Termination[][] tables = new Termination[owners.length][];
        for (int i = 0; i < owners.length; i++) {
            List<Termination> to = new ArrayList<>();
            for (Termination candidate : owners) {
                if (candidate != owners[i] && flows(owners[i], candidate)) {
                    to.add(candidate);
                }
            }
            tables[i] = to.toArray(Termination.NO_ROUTES);
        }
        return () -> {
            for (int i = 0; i < owners.length; i++) {
                owners[i].routes(tables[i]);
            }
            if (removed != null) {
                removed.routes(Termination.NO_ROUTES);
            }
        };
    }

    private static long key(Termination from, Termination to) {
        return ((long) from.index() << 32) | (to.index() & 0xFFFF_FFFFL);
    }

    @Override
    public String toString() {
        return "ctx=" + id;
    }
}
