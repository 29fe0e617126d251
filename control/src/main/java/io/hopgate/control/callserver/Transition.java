package io.hopgate.control.callserver;

/**
 * One row of {@link Transitions}: in state {@code from} (null: no call yet), {@code event} of a handoff following
 * {@code procedure} (null: any, or none under way) runs {@code step} and leaves the call in {@code to}.
 * {@code reverse} is the step that undoes it (null: nothing to undo, a completed handoff is undone by the next one).
 * {@code continues}: the same event then applies again from {@code to} (a release during a handoff first reverts
 * it, then releases).
 */
public record Transition(CallState from, Event event, Procedure procedure, CallState to, Step step, Step reverse,
                         boolean continues) {
    boolean matches(CallState state, Event e, Procedure p) {
        return from == state && event == e && (procedure == null || procedure == p);
    }
}
