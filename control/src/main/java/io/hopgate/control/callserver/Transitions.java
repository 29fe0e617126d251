package io.hopgate.control.callserver;

import static io.hopgate.control.callserver.CallState.ACTIVE;
import static io.hopgate.control.callserver.CallState.DETECTED;
import static io.hopgate.control.callserver.CallState.EXECUTED;
import static io.hopgate.control.callserver.CallState.PREPARED;
import static io.hopgate.control.callserver.CallState.RELEASED;
import static io.hopgate.control.callserver.Procedure.BICAST;
import static io.hopgate.control.callserver.Procedure.GATEWAY;
import static io.hopgate.control.callserver.Procedure.HANDBACK;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The call server's procedures as one state x event table (docs/architecture.md section 2): the only place that says
 * which event fits which state, which H.248 step it runs and what undoes that step. An event without a row is
 * refused and changes nothing. {@link CallServer} looks rows up; {@code /calls/{id}} history names the step each
 * event ran.
 */
public final class Transitions {
    private static final List<Transition> TABLE = build();

    private Transitions() {
    }

    private static List<Transition> build() {
        List<Transition> t = new ArrayList<>();
        t.add(row(null, Event.CREATE, null, ACTIVE, Step.CREATE, Step.RELEASE));
        // 2.2 bicast in the serving gateway
        t.add(row(ACTIVE, Event.REQUIRED, BICAST, PREPARED, Step.PREPARE_BICAST, Step.REVERT_BICAST));
        t.add(row(PREPARED, Event.DETECT, BICAST, EXECUTED, Step.EXECUTE_BICAST, Step.REVERT_BICAST));
        t.add(row(EXECUTED, Event.COMPLETE, BICAST, ACTIVE, Step.COMPLETE_BICAST, null));
        // 2.3, 2.4 to another gateway; 2.5 back to the anchor (differs only in how the new leg is prepared)
        t.add(row(ACTIVE, Event.REQUIRED, GATEWAY, PREPARED, Step.PREPARE_GATEWAY, Step.REVERT_GATEWAY));
        t.add(row(ACTIVE, Event.REQUIRED, HANDBACK, PREPARED, Step.PREPARE_HANDBACK, Step.REVERT_GATEWAY));
        for (Procedure p : List.of(GATEWAY, HANDBACK)) {
            t.add(row(PREPARED, Event.DETECT, p, DETECTED, Step.DETECT_GATEWAY, Step.REVERT_GATEWAY));
            t.add(row(DETECTED, Event.COMPLETE, p, ACTIVE, Step.COMPLETE_GATEWAY, null));
        }
        // failure, timeout and release revert a handoff under way from any of its states; release then goes on
        for (Event e : List.of(Event.FAILURE, Event.TIMEOUT, Event.RELEASE)) {
            boolean continues = e == Event.RELEASE;
            for (CallState s : List.of(PREPARED, EXECUTED)) {
                t.add(new Transition(s, e, BICAST, ACTIVE, Step.REVERT_BICAST, null, continues));
            }
            for (Procedure p : List.of(GATEWAY, HANDBACK)) {
                for (CallState s : List.of(PREPARED, DETECTED)) {
                    t.add(new Transition(s, e, p, ACTIVE, Step.REVERT_GATEWAY, null, continues));
                }
            }
        }
        t.add(row(ACTIVE, Event.RELEASE, null, RELEASED, Step.RELEASE, null));
        return List.copyOf(t);
    }

    private static Transition row(CallState from, Event event, Procedure procedure, CallState to, Step step,
                                  Step reverse) {
        return new Transition(from, event, procedure, to, step, reverse, false);
    }

    /** Every row, in table order. */
    public static List<Transition> all() {
        return TABLE;
    }

    /**
     * The row for {@code event} in {@code state} of a handoff following {@code procedure} (null: none under way),
     * or null when the event does not fit.
     */
    public static Transition find(CallState state, Event event, Procedure procedure) {
        for (Transition t : TABLE) {
            if (t.matches(state, event, procedure)) {
                return t;
            }
        }
        return null;
    }

    /** The table as text, one row a line: what {@code hopgate demo} prints before it runs the procedures. */
    public static String describe() {
        StringBuilder out = new StringBuilder();
        for (Transition t : TABLE) {
            out.append(String.format(Locale.ROOT, "  %-8s %-8s %-8s -> %-8s %-16s %s%s%n",
                t.from() == null ? "-" : t.from(), t.event().token(), t.procedure() == null ? "any" : t.procedure(),
                t.to(), t.step(), t.step().h248(), t.reverse() == null ? "" : "  [reverse: " + t.reverse() + "]"));
        }
        return out.toString();
    }
}
