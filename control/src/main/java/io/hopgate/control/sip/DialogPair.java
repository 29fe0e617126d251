package io.hopgate.control.sip;

import io.hopgate.control.anchor.SdpAnchor.AnchoredLeg;
import io.hopgate.control.anchor.SdpAnchor.AnchoredPair;
import io.hopgate.control.h248.ContextId;
import io.hopgate.control.h248.TerminationId;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ServerTransaction;

/**
 * One B2BUA call: the caller's dialog with us, ours with the callee, and the gateway context that anchors their
 * media. Its progress is one {@link PairState}. Owned by the {@code sip-control} thread.
 */
final class DialogPair {
    /** One party's side: its dialog with us and its leg on the gateway. */
    static final class Party {
        final String aor;
        String callId;
        Dialog dialog;
        /** This party's termination and the gateway's media address facing it; null until the Add is answered. */
        AnchoredLeg anchored;
        /** The SDP we last gave this party; a re-INVITE is answered with it unchanged. */
        String sdpToParty;
        /** An INVITE from this party that has no final response yet. */
        ServerTransaction pendingInvite;

        Party(String aor) {
            this.aor = aor;
        }

        TerminationId termination() {
            return anchored == null ? null : anchored.termination();
        }
    }

    final Party caller;
    final Party callee;
    final ServerTransaction callerInvite;
    final String callerTag;
    /** Set with the Add reply; null while {@link PairState#SETTING_UP} (the context is still {@code $}). */
    AnchoredPair anchored;
    ClientTransaction calleeInvite;
    private PairState state = PairState.SETTING_UP;

    DialogPair(Party caller, Party callee, ServerTransaction callerInvite, String callerTag) {
        this.caller = caller;
        this.callee = callee;
        this.callerInvite = callerInvite;
        this.callerTag = callerTag;
    }

    PairState state() {
        return state;
    }

    boolean is(PairState s) {
        return state == s;
    }

    /** The one place a call changes state; a step {@link PairState#canGoTo} does not allow is a bug here. */
    void enter(PairState next) {
        if (!state.canGoTo(next)) {
            throw new IllegalStateException("call ctx=" + context().text() + " cannot go from " + state + " to "
                + next);
        }
        state = next;
    }

    /** {@code $} until the gateway's Add reply names the context. */
    ContextId context() {
        return anchored == null ? ContextId.CHOOSE : anchored.context();
    }

    Party party(String callId) {
        return callId.equals(caller.callId) ? caller : callId.equals(callee.callId) ? callee : null;
    }

    Party other(Party party) {
        return party == caller ? callee : caller;
    }

    /** Either party has an INVITE without a final response: a re-INVITE from the other one crosses it. */
    boolean inviteUnanswered() {
        return caller.pendingInvite != null || callee.pendingInvite != null;
    }
}
