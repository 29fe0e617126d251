package io.hopgate.control.callserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The transition table read as a specification: unambiguous, no stuck handoff, every step reachable and undone. */
class HandoffTransitionsTest {
    private static final List<Procedure> PROCEDURES_OR_NONE = new ArrayList<>(Arrays.asList(Procedure.values()));

    static {
        PROCEDURES_OR_NONE.add(null);
    }

    @Test
    void shouldHaveAtMostOneRowForEveryStateEventAndProcedure() {
        List<CallState> states = new ArrayList<>(Arrays.asList(CallState.values()));
        states.add(null);
        for (CallState s : states) {
            for (Event e : Event.values()) {
                for (Procedure p : PROCEDURES_OR_NONE) {
                    long rows = Transitions.all().stream().filter(t -> t.matches(s, e, p)).count();
                    assertThat(rows).as("rows for %s %s %s", s, e, p).isLessThanOrEqualTo(1);
                }
            }
        }
    }

    @Test
    void shouldWalkEveryProcedureFromActiveBackToActive() {
        for (Procedure p : Procedure.values()) {
            Transition required = Transitions.find(CallState.ACTIVE, Event.REQUIRED, p);
            assertThat(required).as("required of %s", p).isNotNull();
            assertThat(required.to()).isEqualTo(CallState.PREPARED);
            Transition detect = Transitions.find(CallState.PREPARED, Event.DETECT, p);
            assertThat(detect.to()).isEqualTo(p == Procedure.BICAST ? CallState.EXECUTED : CallState.DETECTED);
            Transition complete = Transitions.find(detect.to(), Event.COMPLETE, p);
            assertThat(complete.to()).isEqualTo(CallState.ACTIVE);
            // complete only after detect: the new path is not used before the mobile is on it
            assertThat(Transitions.find(CallState.PREPARED, Event.COMPLETE, p)).isNull();
        }
    }

    @Test
    void shouldRevertEveryHandoffStateOnFailureTimeoutAndReleaseWithTheStepsOwnReverse() {
        for (Procedure p : Procedure.values()) {
            Transition required = Transitions.find(CallState.ACTIVE, Event.REQUIRED, p);
            Transition detect = Transitions.find(CallState.PREPARED, Event.DETECT, p);
            for (Transition forward : List.of(required, detect)) {
                for (Event e : List.of(Event.FAILURE, Event.TIMEOUT, Event.RELEASE)) {
                    Transition back = Transitions.find(forward.to(), e, p);
                    assertThat(back).as("%s in %s of %s", e, forward.to(), p).isNotNull();
                    assertThat(back.step()).as("reverse of %s", forward.step()).isEqualTo(forward.reverse());
                    assertThat(back.to()).isEqualTo(CallState.ACTIVE);
                    assertThat(back.continues()).isEqualTo(e == Event.RELEASE);
                }
            }
        }
        assertThat(Transitions.find(CallState.ACTIVE, Event.RELEASE, null).to()).isEqualTo(CallState.RELEASED);
    }

    @Test
    void shouldRefuseEveryEventOnceReleasedAndUseEveryStep() {
        for (Event e : Event.values()) {
            for (Procedure p : PROCEDURES_OR_NONE) {
                assertThat(Transitions.find(CallState.RELEASED, e, p)).isNull();
            }
        }
        Set<Step> used = EnumSet.noneOf(Step.class);
        Transitions.all().forEach(t -> used.add(t.step()));
        assertThat(used).containsExactlyInAnyOrder(Step.values());
        String text = Transitions.describe();
        assertThat(text.lines()).hasSize(Transitions.all().size());
        assertThat(text).contains("PREPARE_GATEWAY", "[reverse: REVERT_GATEWAY]", Step.DETECT_GATEWAY.h248());
    }
}
