package io.hopgate.control.sip;

import io.hopgate.control.anchor.SdpAnchor;
import io.hopgate.control.anchor.SdpAnchor.AnchoredPair;
import io.hopgate.control.h248.ContextId;
import io.hopgate.control.h248.TerminationId;
import io.hopgate.control.mgc.GatewayException;
import io.hopgate.control.sip.DialogPair.Party;
import io.hopgate.rtp.sdp.SessionDescription;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.TransactionState;
import javax.sip.address.Address;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media-anchoring back-to-back user agent: an INVITE to a registered name becomes a {@link DialogPair} (the
 * caller's dialog with us, ours with the callee) whose media is anchored on the gateway by {@link SdpAnchor}. A
 * re-INVITE from either party is a move: that party's leg gets the new Remote and the party gets back the SDP it
 * already had; the other party sees nothing (docs/architecture.md section 2.6).
 *
 * <p>Threads: every method runs on the {@code sip-control} executor; H.248 continuations are posted back to it.
 */
final class B2bua {
    private static final Logger LOG = LoggerFactory.getLogger(B2bua.class);
    /** Retry-After (seconds) on a 500 for an INVITE overlapping an unanswered one (RFC 3261 14.2). */
    private static final int RETRY_AFTER_S = 1;

    private final SipEndpoint sip;
    private final Registrar registrar;
    private final SdpAnchor anchor;
    private final Executor control;
    private final Supplier<Function<String, CompletableFuture<Void>>> beforeMove;
    /** Both parties' Call-IDs point at the same pair. */
    private final Map<String, DialogPair> calls = new HashMap<>();

    B2bua(SipEndpoint sip, Registrar registrar, SdpAnchor anchor, Executor control,
          Supplier<Function<String, CompletableFuture<Void>>> beforeMove) {
        this.sip = sip;
        this.registrar = registrar;
        this.anchor = anchor;
        this.control = control;
        this.beforeMove = beforeMove;
    }

    /** The number of calls in progress (either party's Call-ID counts once). */
    int calls() {
        return (int) calls.values().stream().distinct().count();
    }

    // ---- requests ---------------------------------------------------------------------------------------------

    void onInvite(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        ServerTransaction st = sip.serverTransaction(event);
        if (st == null) {
            return;
        }
        st.sendResponse(sip.response(Response.TRYING, request));
        String target = SipEndpoint.aor(request.getRequestURI());
        Registrar.Binding callee = registrar.lookup(target);
        String callerCallId = SipEndpoint.callId(request);
        if (callee == null) {
            LOG.info("sip invite to unknown name target={} callId={}", target, callerCallId);
            st.sendResponse(SipEndpoint.withTag(sip.response(Response.NOT_FOUND, request), SipEndpoint.newTag()));
            return;
        }
        SessionDescription offer = SdpAnchor.parse(request.getRawContent());
        if (offer == null) {
            // No offer in the INVITE (offer in the 2xx, RFC 3264) is not supported: the gateway needs a Remote.
            st.sendResponse(SipEndpoint.withTag(sip.response(Response.NOT_ACCEPTABLE_HERE, request),
                SipEndpoint.newTag()));
            return;
        }
        String callerAor = SipEndpoint.aor(((FromHeader) request.getHeader(FromHeader.NAME)).getAddress().getURI());
        DialogPair call = new DialogPair(new Party(callerAor), new Party(target), st, SipEndpoint.newTag());
        call.caller.callId = callerCallId;
        call.caller.pendingInvite = st;
        calls.put(callerCallId, call);
        anchor.open(offer).whenCompleteAsync((pair, error) -> {
            try {
                onAnchored(call, callee, request, offer, pair, error);
            } catch (Exception e) {
                LOG.warn("sip call setup failed callId={}: {}", callerCallId, e.toString(), e);
                fail(call, Response.SERVER_INTERNAL_ERROR, null);
            }
        }, control);
    }

    /** The gateway answered the Add: INVITE the callee with the offer rewritten to the gateway's side. */
    private void onAnchored(DialogPair call, Registrar.Binding callee, Request callerRequest, SessionDescription offer,
                            AnchoredPair pair, Throwable error) throws Exception {
        if (error != null) {
            GatewayException refusal = anchor.failure(error);
            LOG.warn("sip call: gateway refused the context callId={} code={}: {}", call.caller.callId,
                refusal.code(), refusal.getMessage());
            fail(call, Response.SERVICE_UNAVAILABLE, refusal);
            return;
        }
        call.anchored = pair;
        call.caller.anchored = pair.offerer();
        call.callee.anchored = pair.answerer();
        if (call.is(PairState.CANCELLED)) {
            release(call);
            return;
        }
        // The new UAC dialog towards the callee (B2BUA): a fresh Call-ID and From tag, the caller's identities.
        FromHeader callerFrom = (FromHeader) callerRequest.getHeader(FromHeader.NAME);
        ToHeader callerTo = (ToHeader) callerRequest.getHeader(ToHeader.NAME);
        CallIdHeader callId = sip.provider.getNewCallId();
        call.callee.callId = callId.getCallId();
        calls.put(call.callee.callId, call);
        String body = SdpAnchor.offerToAnswerer(pair, offer);
        Request invite = sip.messages.createRequest(callee.contact().getURI(), Request.INVITE, callId,
            sip.headers.createCSeqHeader(1L, Request.INVITE),
            sip.headers.createFromHeader((Address) callerFrom.getAddress().clone(), SipEndpoint.newTag()),
            sip.headers.createToHeader((Address) callerTo.getAddress().clone(), null),
            List.of(sip.via()), sip.maxForwards(),
            sip.sdpType(), body.getBytes(StandardCharsets.UTF_8));
        invite.addHeader(sip.ourContact());
        call.calleeInvite = sip.provider.getNewClientTransaction(invite);
        call.callee.dialog = call.calleeInvite.getDialog();
        call.callee.sdpToParty = body;
        call.enter(PairState.CALLING);
        call.calleeInvite.sendRequest();
        LOG.info("sip call ctx={} caller={} callee={} termCaller={} termCallee={}", call.context(), call.caller.aor,
            call.callee.aor, call.caller.termination(), call.callee.termination());
    }

    /** A re-INVITE: a move when its SDP carries a new address (docs/architecture.md section 2.6 step 2). */
    void onReInvite(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        DialogPair call = calls.get(SipEndpoint.callId(request));
        ServerTransaction st = sip.serverTransaction(event);
        if (st == null) {
            return;
        }
        Party party = call == null ? null : call.party(SipEndpoint.callId(request));
        if (party == null || call.is(PairState.ENDED) || party.termination() == null || party.sdpToParty == null) {
            st.sendResponse(sip.response(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, request));
            return;
        }
        if (party.pendingInvite != null) {
            // RFC 3261 14.2: a second INVITE before the final response to the first gets 500 with Retry-After.
            // In practice the JAIN-SIP dialog layer answers this overlap itself (491 + Retry-After) before the
            // listener sees it; this branch covers a stack configured without that check.
            Response r = sip.response(Response.SERVER_INTERNAL_ERROR, request);
            r.addHeader(sip.headers.createRetryAfterHeader(RETRY_AFTER_S));
            st.sendResponse(r);
            return;
        }
        if (call.inviteUnanswered()) {
            // The two dialogs share one session on the gateway: a re-INVITE from the other party while a move
            // is being applied is a crossing re-INVITE, answered as a UA would answer glare (RFC 3261 14.2):
            // 491, and the party retries after a random wait (14.1).
            st.sendResponse(sip.response(Response.REQUEST_PENDING, request));
            return;
        }
        SessionDescription moved = SdpAnchor.parse(request.getRawContent());
        if (moved == null) {
            st.sendResponse(sip.okWithSdp(request, party.sdpToParty));
            return;
        }
        party.pendingInvite = st;
        ContextId context = call.context();
        TerminationId termination = party.termination();
        LOG.info("sip move ctx={} party={} term={} remote={}:{}", context, party.aor, termination,
            moved.connectionAddress(), moved.port());
        // The new Remote also ends a move marked by a REGISTER: the gateway sends what it held there first.
        beforeMove.get().apply(party.aor)
            .thenCompose(v -> anchor.move(context, termination, moved))
            .whenCompleteAsync((applied, error) -> onMoved(party, st, request, context, error), control);
    }

    private void onMoved(Party party, ServerTransaction st, Request request, ContextId context, Throwable error) {
        party.pendingInvite = null;
        try {
            if (error != null) {
                GatewayException refusal = anchor.failure(error);
                LOG.warn("sip move refused by the gateway ctx={} term={} code={}: {}", context, party.termination(),
                    refusal.code(), refusal.getMessage());
                st.sendResponse(sip.withWarning(sip.response(Response.NOT_ACCEPTABLE_HERE, request), refusal));
                return;
            }
            st.sendResponse(sip.okWithSdp(request, party.sdpToParty));
        } catch (Exception e) {
            LOG.warn("sip move answer failed ctx={}: {}", context, e.toString());
        }
    }

    void onBye(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        ServerTransaction st = sip.serverTransaction(event);
        if (st == null) {
            return;
        }
        DialogPair call = calls.get(SipEndpoint.callId(request));
        if (call == null || call.is(PairState.ENDED)) {
            st.sendResponse(sip.response(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, request));
            return;
        }
        st.sendResponse(sip.response(Response.OK, request));
        Party from = call.party(SipEndpoint.callId(request));
        Party other = call.other(from);
        LOG.info("sip bye ctx={} from={}", call.context(), from.aor);
        if (call.is(PairState.ANSWERED) && other.dialog != null) {
            sip.sendInDialog(other.dialog, Request.BYE);
        } else if (other == call.callee && call.calleeInvite != null) {
            cancelCallee(call);
        }
        release(call);
    }

    void onCancel(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        ServerTransaction st = sip.serverTransaction(event);
        DialogPair call = calls.get(SipEndpoint.callId(request));
        if (st == null) {
            return;
        }
        if (call == null || call.is(PairState.ANSWERED) || call.is(PairState.ENDED)) {
            st.sendResponse(sip.response(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, request));
            return;
        }
        st.sendResponse(sip.response(Response.OK, request));
        finalToCaller(call, Response.REQUEST_TERMINATED, null);
        cancelCallee(call);
        if (call.is(PairState.SETTING_UP)) {
            call.enter(PairState.CANCELLED); // no context yet: onAnchored releases it once the Add is answered
        } else if (!call.is(PairState.CANCELLED)) {
            release(call);
        }
    }

    // ---- responses from callees -------------------------------------------------------------------------------

    void onResponse(ResponseEvent event) throws Exception {
        Response response = event.getResponse();
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        DialogPair call = calls.get(SipEndpoint.callId(response));
        if (call == null || !Request.INVITE.equals(cseq.getMethod())) {
            return;
        }
        int status = response.getStatusCode();
        if (status < 200) {
            if (status > 100) {
                onProvisional(call, status);
            }
        } else if (status >= 300) {
            LOG.info("sip call rejected by callee ctx={} status={}", call.context(), status);
            fail(call, status, null);
        } else {
            Dialog dialog = event.getDialog() != null ? event.getDialog() : call.callee.dialog;
            // Every 2xx is ACKed, a retransmitted one too (RFC 3261 13.2.2.4).
            dialog.sendAck(dialog.createAck(cseq.getSeqNumber()));
            if (call.is(PairState.CANCELLED) || call.is(PairState.ENDED)) {
                // The 2xx crossed our CANCEL: the callee is in a call nobody wants (RFC 3261 9.1).
                sip.sendInDialog(dialog, Request.BYE);
            } else if (!call.is(PairState.ANSWERED)) {
                onAnswer(call, dialog, SdpAnchor.parse(response.getRawContent()));
            }
        }
    }

    private void onProvisional(DialogPair call, int status) throws Exception {
        if (call.is(PairState.CALLING)) {
            call.enter(PairState.RINGING);
        }
        if (!call.is(PairState.ANSWERED) && call.callerInvite.getState() == TransactionState.PROCEEDING) {
            // Early media is not anchored: the provisional goes on without a body.
            Response p = sip.response(status, call.callerInvite.getRequest());
            call.callerInvite.sendResponse(SipEndpoint.withTag(p, call.callerTag));
        }
    }

    /** The callee's first 2xx: its SDP becomes its leg's Remote, then the caller gets the rewritten answer. */
    private void onAnswer(DialogPair call, Dialog dialog, SessionDescription answer) {
        call.enter(PairState.ANSWERED);
        call.callee.dialog = dialog;
        if (answer == null) {
            LOG.warn("sip call: callee answered without SDP ctx={}", call.context());
            sip.sendInDialog(dialog, Request.BYE);
            fail(call, Response.NOT_ACCEPTABLE_HERE, null);
            return;
        }
        anchor.answer(call.anchored, answer).whenCompleteAsync((body, error) -> {
            try {
                onAnswerAnchored(call, body, error);
            } catch (Exception e) {
                LOG.warn("sip call answer failed ctx={}: {}", call.context(), e.toString(), e);
            }
        }, control);
    }

    private void onAnswerAnchored(DialogPair call, String body, Throwable error) throws Exception {
        if (error != null) {
            GatewayException refusal = anchor.failure(error);
            LOG.warn("sip call: gateway refused the callee's Remote ctx={} code={}: {}", call.context(),
                refusal.code(), refusal.getMessage());
            sip.sendInDialog(call.callee.dialog, Request.BYE);
            fail(call, Response.SERVICE_UNAVAILABLE, refusal);
            return;
        }
        if (call.is(PairState.ENDED)) {
            return;
        }
        call.caller.sdpToParty = body;
        Response ok = sip.okWithSdp(call.callerInvite.getRequest(), body);
        call.callerInvite.sendResponse(SipEndpoint.withTag(ok, call.callerTag));
        call.caller.dialog = call.callerInvite.getDialog();
        call.caller.pendingInvite = null;
        LOG.info("sip call answered ctx={} caller={} callee={}", call.context(), call.caller.aor, call.callee.aor);
    }

    void onClientTimeout(ClientTransaction ct) {
        if (ct == null || !Request.INVITE.equals(ct.getRequest().getMethod())) {
            return;
        }
        DialogPair call = calls.get(SipEndpoint.callId(ct.getRequest()));
        if (call != null && !call.is(PairState.ANSWERED) && !call.is(PairState.ENDED)) {
            LOG.info("sip callee did not answer ctx={} callee={}", call.context(), call.callee.aor);
            fail(call, Response.REQUEST_TIMEOUT, null);
        }
    }

    /**
     * The party registered from a new contact during a call: its address is about to change (docs/architecture.md
     * section 2.7). Its leg on the gateway is marked moving, so what the other party says is held, in order,
     * instead of going to the old address; the re-INVITE's Modify with the new Remote then sends it first.
     */
    void onContactMoved(String aor) {
        Set<DialogPair> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (DialogPair call : calls.values()) {
            if (!seen.add(call) || !call.is(PairState.ANSWERED)) {
                continue;
            }
            Party party = call.caller.aor.equals(aor) ? call.caller : call.callee.aor.equals(aor) ? call.callee : null;
            if (party == null || party.termination() == null) {
                continue;
            }
            // Only logged, so read off this thread: take the ids now rather than the mutable call and party.
            ContextId context = call.context();
            TerminationId termination = party.termination();
            anchor.markMoving(context, termination).whenComplete((marked, error) -> {
                if (error != null) {
                    // Not fatal: without the mark the move still happens at the re-INVITE, only without holding.
                    LOG.warn("sip move: cannot mark leg moving aor={} ctx={} term={} cause={}", aor, context,
                        termination, anchor.failure(error).getMessage());
                } else {
                    LOG.info("sip move: holding media for aor={} ctx={} term={} until its re-INVITE", aor, context,
                        termination);
                }
            });
        }
    }

    // ---- call helpers -----------------------------------------------------------------------------------------

    /** Ends the call with {@code status} to the caller; a gateway's refusal is named in a Warning. */
    private void fail(DialogPair call, int status, GatewayException refusal) {
        finalToCaller(call, status, refusal);
        release(call);
    }

    private void finalToCaller(DialogPair call, int status, GatewayException refusal) {
        call.caller.pendingInvite = null;
        try {
            TransactionState s = call.callerInvite.getState();
            if (s == TransactionState.PROCEEDING || s == TransactionState.TRYING) {
                Response r = sip.response(status, call.callerInvite.getRequest());
                call.callerInvite.sendResponse(SipEndpoint.withTag(refusal == null ? r : sip.withWarning(r, refusal),
                    call.callerTag));
            }
        } catch (Exception e) {
            LOG.debug("sip final response to caller failed status={}: {}", status, e.toString());
        }
    }

    private void cancelCallee(DialogPair call) {
        ClientTransaction ct = call.calleeInvite;
        if (ct == null || !call.is(PairState.RINGING)) {
            return; // RFC 3261 9.1: CANCEL only after a provisional.
        }
        try {
            if (ct.getState() == TransactionState.PROCEEDING) {
                sip.provider.getNewClientTransaction(ct.createCancel()).sendRequest();
            }
        } catch (Exception e) {
            LOG.debug("sip cancel to callee failed: {}", e.toString());
        }
    }

    /** Ends the call: Subtract every termination of its context (the gateway then frees the context). */
    private void release(DialogPair call) {
        if (call.is(PairState.ENDED)) {
            return;
        }
        call.enter(PairState.ENDED);
        calls.values().removeIf(c -> c == call);
        ContextId context = call.context();
        if (!context.isConcrete()) {
            return;
        }
        anchor.release(context).whenComplete((released, e) -> {
            if (e != null) {
                LOG.warn("sip release: subtract failed ctx={}: {}", context, anchor.failure(e).getMessage());
            } else {
                LOG.info("sip call released ctx={}", context);
            }
        });
    }
}
