package io.hopgate.control.sip;

/**
 * Where a B2BUA call (a {@link DialogPair}: the caller's dialog with us and ours with the callee) stands. It
 * replaces four flags (provisional seen, cancelled, answered, ended); {@link #canGoTo} is the one place that says
 * which step may follow which, and {@link DialogPair#enter} the one place that takes it.
 *
 * <pre>
 *   SETTING_UP ──Add answered, INVITE out──▶ CALLING ──1xx──▶ RINGING ──2xx──▶ ANSWERED
 *       │ CANCEL                               │ 2xx ─────────────────────────▲    │
 *       ▼                                      │                                  │
 *   CANCELLED ──Add answered or failed──▶   ENDED ◀── BYE, CANCEL, reject, timeout, gateway refusal
 * </pre>
 */
enum PairState {
    /** The caller's INVITE is in; the gateway's Add is not answered yet, so there is no context to release. */
    SETTING_UP,
    /** The caller cancelled before the Add was answered: the context is released as soon as it is. */
    CANCELLED,
    /** The INVITE to the callee is out with no provisional back: a CANCEL must wait for one (RFC 3261 9.1). */
    CALLING,
    /** The callee sent a provisional (above 100): a CANCEL may go to it now. */
    RINGING,
    /** The callee's 2xx is in: both dialogs carry the session, and a re-INVITE from either party moves it. */
    ANSWERED,
    /** Released: the context is subtracted; the pair has left the call table. */
    ENDED;

    /** The transitions of a call, all of them. */
    boolean canGoTo(PairState next) {
        return switch (this) {
            case SETTING_UP -> next == CALLING || next == CANCELLED || next == ENDED;
            case CANCELLED -> next == ENDED;
            case CALLING -> next == RINGING || next == ANSWERED || next == ENDED;
            case RINGING -> next == ANSWERED || next == ENDED;
            case ANSWERED -> next == ENDED;
            case ENDED -> false;
        };
    }
}
