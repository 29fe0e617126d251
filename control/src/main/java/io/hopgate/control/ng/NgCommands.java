package io.hopgate.control.ng;

import io.hopgate.control.megaco.WarnLimiter;
import io.hopgate.control.megaco.WireText;
import io.hopgate.control.ng.Bencode.Dict;
import io.hopgate.media.MediaContext;
import io.hopgate.media.MediaPlane;
import io.hopgate.media.MediaPlaneException;
import io.hopgate.media.StreamMode;
import io.hopgate.media.Termination;
import io.hopgate.media.Topology;
import io.hopgate.rtp.sdp.Direction;
import io.hopgate.rtp.sdp.SessionDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The ng commands (rtpengine's docs/ng_control_protocol.md): ping, offer, answer, delete, query, list, statistics,
 * on the media plane. A call is one context, like an H.248 call: it shows in /contexts and metrics and counts against
 * media.max-contexts. Every failure is a reply with {@code result: error} and an {@code error-reason}.
 *
 * <p>Security: a party's termination accepts media only from the address that party signalled (the media plane's
 * source check); before a party has signalled an address its termination is inactive, so nobody can feed the call
 * through a port that was just offered. There is no learning; {@code media.latch} (SSRC and sequence rule) applies to
 * ng calls as to every other call.
 *
 * <p>Threads: called only on the ng command thread.
 */
public final class NgCommands {
    private static final Logger LOG = LoggerFactory.getLogger(NgCommands.class);
    private static final java.util.Set<String> KNOWN_COMMANDS = java.util.Set.of("ping", "offer", "answer", "delete",
        "query", "list", "statistics", "move");
    static final int DEFAULT_LIST_LIMIT = 32;

    private final MediaPlane plane;
    /** One line per command name per 10 s: a peer sending bad commands must not flood the log (docs section 5.2). */
    private final WarnLimiter warnings = new WarnLimiter(10_000);
    private final ScheduledExecutorService commandThread;
    private final long defaultDeleteDelayMs;
    private final Map<String, NgCall> calls = new LinkedHashMap<>();
    private final long startedMs = System.currentTimeMillis();
    private long managedSessions;
    private long rejectedSessions;
    private long terminatedSessions;
    /** With state.redis: each ng termination's call-state attributes, kept current here, read by the recorder. */
    private Map<String, Map<String, String>> stateAttributes;
    /**
     * With state.redis: records a context after an ng command changed it (GatewayCallState.afterAction); returns
     * the reason to answer an error with (state.on-failure=refuse and the state was not written), else null.
     */
    private Function<MediaContext, String> onChange = context -> null;

    public NgCommands(MediaPlane plane, ScheduledExecutorService commandThread, long defaultDeleteDelayMs) {
        this.plane = plane;
        this.commandThread = commandThread;
        this.defaultDeleteDelayMs = defaultDeleteDelayMs;
    }

    /** Executes one request dictionary; never throws. */
    public Dict execute(Dict dict) {
        String command = "?";
        try {
            NgRequest request = new NgRequest(dict);
            command = request.required("command");
            return switch (command) {
                case "ping" -> Bencode.dict().put("result", "pong").build();
                case "offer" -> offer(request);
                case "answer" -> answer(request);
                case "delete" -> delete(request);
                case "query" -> query(request);
                case "list" -> list(request);
                case "statistics" -> statistics();
                case "move" -> move(request);
                default -> throw new NgException("unknown command '" + command + "'; Hopgate supports ping, offer, "
                    + "answer, delete, query, list, statistics and move");
            };
        } catch (NgException e) {
            if (command.equals("offer")) {
                rejectedSessions++;
            }
            String kind = KNOWN_COMMANDS.contains(command) ? command : "?";
            long suppressed = warnings.admit(kind, System.nanoTime());
            if (suppressed >= 0) {
                LOG.warn("ng command failed cmd={} cause={} suppressed-since-last={}", WireText.escape(command),
                    WireText.escape(e.getMessage()), suppressed);
            }
            return error(e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("ng command failed cmd={}", WireText.escape(command), e);
            return error("internal error in '" + command + "': " + e);
        }
    }

    /**
     * Replicates ng calls to the call state (docs/ha.md, "ng calls"): after each command that changed a call, its
     * terminations' attributes go into {@code attributes} (read by the recorder from any thread) and
     * {@code onChange} records the call's context, before the reply is sent.
     */
    void replicate(Map<String, Map<String, String>> attributes, Function<MediaContext, String> onChange) {
        this.stateAttributes = attributes;
        this.onChange = onChange;
    }

    /**
     * Takes over the ng calls a restarted gateway restored (their contexts are already on the media plane). A call
     * that was waiting for its delete-delay waits for what is left of it; one whose delay ran out while the gateway
     * was down is deleted now (docs/ha.md, "ng calls").
     */
    int restore(List<NgLeg> legs) {
        Map<String, NgCall> restored = NgCallState.rebuild(legs);
        long now = System.currentTimeMillis();
        int live = 0;
        for (NgCall call : restored.values()) {
            calls.put(call.callId, call);
            managedSessions++;
            if (call.deleteAtMs <= 0) {
                live++;
            } else if (call.deleteAtMs <= now) {
                LOG.info("ng call's delete-delay ran out while the gateway was down call-id={} ctx={} due-ms-ago={}",
                    call.callId, call.context.id(), now - call.deleteAtMs);
                remove(call);
            } else {
                live++;
                scheduleDelete(call, call.deleteAtMs - now);
            }
        }
        return live;
    }

    /** Deletes the call after {@code delayMs}, unless a new offer revives it first. */
    private void scheduleDelete(NgCall call, long delayMs) {
        call.pendingDelete = commandThread.schedule(() -> {
            if (calls.get(call.callId) == call && call.pendingDelete != null) {
                remove(call);
            }
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Publishes a changed call's attributes and records its context (or its removal). Returns null, or why the
     * state was not written when {@code state.on-failure=refuse} (docs/ha.md, "ng calls"): the command then answers
     * {@code result: error} with that reason, its change staying applied, as H.248 answers 510.
     */
    private String changed(NgCall call, boolean removed) {
        if (stateAttributes == null) {
            return null;
        }
        for (int p = 0; p < 2; p++) {
            List<Termination> terms = call.parties[p].terminations;
            for (int i = 0; i < terms.size(); i++) {
                if (removed) {
                    stateAttributes.remove(terms.get(i).id());
                } else {
                    stateAttributes.put(terms.get(i).id(), NgCallState.attributes(call, p, i));
                }
            }
        }
        return onChange.apply(call.context);
    }

    /** The reply, or the refusal when the command's state was not written (state.on-failure=refuse). */
    private static Dict unlessRefused(String refused, Dict reply) {
        return refused == null ? reply : error(refused);
    }

    static Dict error(String reason) {
        return Bencode.dict().put("result", "error").put("error-reason", reason).build();
    }

    /** The calls by id (live and awaiting their delete-delay), for tests and the admin view. */
    Map<String, NgCall> calls() {
        return calls;
    }

    private Dict offer(NgRequest request) {
        String callId = request.required("call-id");
        String fromTag = request.required("from-tag");
        String toTag = emptyToNull(request.string("to-tag"));
        refuseRecording(request);
        NgSdp.Options options = NgSdp.Options.of(request);
        checkAddressFamily(request);
        SessionDescription sdp = NgSdp.parse(request.required("sdp"), options);
        List<NgSdp.Media> media = NgSdp.media(sdp, options);
        long now = System.currentTimeMillis();
        NgCall call = calls.get(callId);
        int offerer;
        if (call == null) {
            call = create(callId, fromTag, toTag, media.size(), now);
            offerer = 0;
        } else {
            offerer = call.partyWithTag(fromTag);
            if (offerer < 0 && toTag != null && call.partyWithTag(toTag) >= 0) {
                offerer = 1 - call.partyWithTag(toTag);
            }
            if (offerer < 0 && call.parties[1].tag == null) {
                offerer = 1;
            }
            if (offerer < 0) {
                throw new NgException("call " + callId + " has parties '" + call.parties[0].tag + "' and '"
                    + call.parties[1].tag + "'; from-tag '" + fromTag + "' would be a third: not supported");
            }
            if (media.size() != call.mediaCount()) {
                throw new NgException("re-offer has " + media.size() + " media sections, the call has "
                    + call.mediaCount() + ": adding or removing streams is not supported");
            }
            if (call.pendingDelete != null) {
                call.pendingDelete.cancel(false); // a new offer revives a call waiting for its delete-delay
                call.pendingDelete = null;
                call.deleteAtMs = 0;
            }
        }
        call.parties[offerer].tag = call.parties[offerer].tag == null ? fromTag : call.parties[offerer].tag;
        if (toTag != null && call.parties[1 - offerer].tag == null) {
            call.parties[1 - offerer].tag = toTag;
        }
        apply(call, call.parties[offerer], sdp, media);
        call.parties[offerer].options = options;
        call.lastOfferer = offerer;
        call.lastSignalMs = now;
        Dict reply = sdpReply(sdp, call.parties[1 - offerer], options, request);
        return unlessRefused(changed(call, false), reply);
    }

    private Dict answer(NgRequest request) {
        String callId = request.required("call-id");
        String fromTag = request.required("from-tag");
        String toTag = request.required("to-tag");
        refuseRecording(request);
        NgSdp.Options options = NgSdp.Options.of(request);
        checkAddressFamily(request);
        SessionDescription sdp = NgSdp.parse(request.required("sdp"), options);
        List<NgSdp.Media> media = NgSdp.media(sdp, options);
        NgCall call = calls.get(callId);
        if (call == null || call.pendingDelete != null) {
            throw new NgException("unknown call-id '" + callId + "': answer without an offer");
        }
        if (media.size() != call.mediaCount()) {
            throw new NgException("answer has " + media.size() + " media sections, the offer had "
                + call.mediaCount());
        }
        NgCall.Party answerer = call.parties[1 - call.lastOfferer];
        NgCall.Party offerer = call.parties[call.lastOfferer];
        if (answerer.tag == null) {
            // The To tag is the answerer's; a proxy that reports the reply's tags swapped still names it once.
            answerer.tag = toTag.equals(offerer.tag) ? fromTag : toTag;
        }
        apply(call, answerer, sdp, media);
        answerer.options = options;
        call.lastSignalMs = System.currentTimeMillis();
        Dict reply = sdpReply(sdp, offerer, options, request);
        return unlessRefused(changed(call, false), reply);
    }

    private NgCall create(String callId, String fromTag, String toTag, int mediaCount, long now) {
        int capacity = plane.config().maxTerminationsPerContext();
        if (2 * mediaCount > capacity) {
            throw new NgException("offer has " + mediaCount + " media sections: needs " + 2 * mediaCount
                + " terminations, media.max-terminations-per-context=" + capacity);
        }
        MediaContext context = plane(() -> plane.createContext());
        NgCall call = new NgCall(callId, context, now);
        call.parties[0] = new NgCall.Party(fromTag, now);
        call.parties[1] = new NgCall.Party(toTag, now);
        try {
            for (NgCall.Party party : call.parties) {
                for (int i = 0; i < mediaCount; i++) {
                    // Inactive and without a remote until the party signals its address: accepts nothing.
                    party.terminations.add(plane(() -> plane.add(context, StreamMode.INACTIVE, null)));
                }
            }
            // Media section i of one party flows only to section i of the other (the default is bothway for all).
            for (int p = 0; p < 2; p++) {
                for (int q = 0; q < 2; q++) {
                    for (int i = 0; i < mediaCount; i++) {
                        for (int j = 0; j < mediaCount; j++) {
                            if (i == j) { // the same termination, or the matching section of the other party
                                continue;
                            }
                            Termination from = call.parties[p].terminations.get(i);
                            Termination to = call.parties[q].terminations.get(j);
                            plane(() -> {
                                plane.topology(context, from, to, Topology.ISOLATE);
                                return null;
                            });
                        }
                    }
                }
            }
        } catch (NgException e) {
            plane(() -> plane.deleteContext(context));
            throw e;
        }
        calls.put(callId, call);
        managedSessions++;
        LOG.info("ng call created call-id={} ctx={} from-tag={} media={}", callId, context.id(), fromTag,
            mediaCount);
        return call;
    }

    /** Points the party's terminations at what it signalled; a changed address keeps egress continuity. */
    private void apply(NgCall call, NgCall.Party party, SessionDescription sdp, List<NgSdp.Media> media) {
        for (int i = 0; i < media.size(); i++) {
            Termination t = party.terminations.get(i);
            NgSdp.Media m = media.get(i);
            if (m.hasAddress()) {
                if (t.remote() == null || !t.remote().rtp().equals(m.address())) {
                    if (t.remote() != null) {
                        LOG.info("ng party moved call-id={} tag={} term={} from={} to={}", call.callId, party.tag,
                            t.id(), t.remote().rtp(), m.address());
                    }
                    plane(() -> {
                        // dual receive (RFC 3264 section 8.3.1): packets the party sent from its old address
                        // before it moved still arrive, until its first from the new one
                        plane.remote(t, m.address(), true);
                        return null;
                    });
                }
                if (m.clockRate() > 0) {
                    plane(() -> {
                        plane.clockRate(t, m.clockRate());
                        return null;
                    });
                }
            }
            StreamMode mode = mode(m, t.remote() != null);
            plane(() -> {
                plane.mode(t, mode);
                return null;
            });
        }
        party.media = media;
        party.sdp = sdp;
    }

    /**
     * The mode of the termination facing a party: it receives from the party when the party sends (sendrecv,
     * sendonly) and sends to it when the party receives and gave a real address; with no remote ever signalled it
     * stays inactive, since receiving without a remote would accept any source.
     */
    static StreamMode mode(NgSdp.Media m, boolean hasRemote) {
        if (!hasRemote) {
            return StreamMode.INACTIVE;
        }
        Direction d = m.direction();
        boolean fromParty = d == Direction.SENDRECV || d == Direction.SENDONLY;
        boolean toParty = m.hasAddress() && (d == Direction.SENDRECV || d == Direction.RECVONLY);
        if (fromParty && toParty) {
            return StreamMode.SEND_RECV;
        }
        if (fromParty) {
            return StreamMode.RECV_ONLY;
        }
        return toParty ? StreamMode.SEND_ONLY : StreamMode.INACTIVE;
    }

    private Dict sdpReply(SessionDescription sdp, NgCall.Party toward, NgSdp.Options options, NgRequest request) {
        List<Integer> ports = new ArrayList<>();
        for (Termination t : toward.terminations) {
            ports.add(t.rtpPort());
        }
        String text = NgSdp.rewrite(sdp, plane.config().address(), ports, options);
        Bencode.DictBuilder reply = Bencode.dict().put("result", "ok").put("sdp", text);
        String learning = request.string("endpoint-learning");
        if (request.flag("media-handover") || request.flag("port-latching")
            || (learning != null && !learning.equals("off"))) {
            // rtpengine's learning lets any source take a stream over (RTP Bleed); Hopgate keeps the source check.
            reply.put("warning", "Hopgate does not learn media addresses: a leg accepts only its signalled address"
                + (plane.config().latch() ? " or a latch by the stream's SSRC and sequence (media.latch=true)"
                : " (media.latch=false)"));
        }
        return reply.build();
    }

    /**
     * Hopgate's extension {@code move} ({@code call-id}, {@code from-tag} of the party that is moving): media toward
     * that party is held in order (media.move-buffer-ms, media.move-buffer-packets) until its next offer or answer
     * with a new address, which sends what was held first; {@code moving: off} sends it to the old address. For a
     * proxy that learns of a move before the re-INVITE (e.g. a REGISTER from a new contact).
     */
    private Dict move(NgRequest request) {
        String callId = request.required("call-id");
        String tag = request.required("from-tag");
        NgCall call = calls.get(callId);
        if (call == null || call.pendingDelete != null) {
            throw new NgException("unknown call-id '" + callId + "'");
        }
        int party = call.partyWithTag(tag);
        if (party < 0) {
            throw new NgException("call " + callId + " has no party with tag '" + tag + "'");
        }
        String moving = request.string("moving");
        boolean on = moving == null || moving.equals("on");
        if (!on && !moving.equals("off")) {
            throw new NgException("moving '" + moving + "' must be on or off");
        }
        for (Termination t : call.parties[party].terminations) {
            plane(() -> {
                plane.moving(t, on);
                return null;
            });
        }
        return unlessRefused(changed(call, false), Bencode.dict().put("result", "ok").build());
    }

    private Dict delete(NgRequest request) {
        String callId = request.required("call-id");
        Long delay = request.integer("delete-delay");
        if (delay != null && delay < 0) {
            throw new NgException("delete-delay " + delay + " must be 0 (now) or a positive number of seconds");
        }
        NgCall call = calls.get(callId);
        if (call == null) {
            String reason = "unknown call-id '" + callId + "'";
            if (request.flag("fatal")) {
                throw new NgException(reason);
            }
            return Bencode.dict().put("result", "ok").put("warning", reason).build();
        }
        Map<String, Object> reply = NgQuery.call(call, plane);
        reply.put("result", "ok");
        long delayMs = delay != null ? TimeUnit.SECONDS.toMillis(delay) : defaultDeleteDelayMs;
        if (call.pendingDelete != null) {
            call.pendingDelete.cancel(false);
        }
        String refused;
        if (delayMs == 0) {
            refused = remove(call);
        } else {
            // The deadline goes into the call state, so a restart before it keeps the delete (docs/ha.md).
            call.deleteAtMs = System.currentTimeMillis() + delayMs;
            scheduleDelete(call, delayMs);
            refused = changed(call, false);
        }
        return unlessRefused(refused, (Dict) Bencode.value(reply));
    }

    /** Deletes the call's context; returns the refusal when its removal was not written (see {@link #changed}). */
    private String remove(NgCall call) {
        calls.remove(call.callId);
        call.pendingDelete = null;
        call.deleteAtMs = 0;
        terminatedSessions++;
        try {
            plane.deleteContext(call.context);
        } catch (MediaPlaneException e) {
            LOG.warn("ng call context already gone call-id={} ctx={} cause={}", call.callId, call.context.id(),
                e.getMessage());
        }
        LOG.info("ng call deleted call-id={} ctx={}", call.callId, call.context.id());
        return changed(call, true);
    }

    private Dict query(NgRequest request) {
        String callId = request.required("call-id");
        NgCall call = calls.get(callId);
        if (call == null) {
            throw new NgException("unknown call-id '" + callId + "'");
        }
        Map<String, Object> reply = NgQuery.call(call, plane);
        reply.put("result", "ok");
        return (Dict) Bencode.value(reply);
    }

    private Dict list(NgRequest request) {
        Long limit = request.integer("limit");
        if (limit != null && limit <= 0) {
            throw new NgException("limit " + limit + " must be greater than 0");
        }
        long max = limit == null ? DEFAULT_LIST_LIMIT : limit;
        List<String> ids = new ArrayList<>();
        for (NgCall call : calls.values()) {
            if (ids.size() >= max) {
                break;
            }
            if (call.pendingDelete == null) {
                ids.add(call.callId);
            }
        }
        return Bencode.dict().put("result", "ok").put("calls", ids).build();
    }

    private Dict statistics() {
        long live = calls.values().stream().filter(c -> c.pendingDelete == null).count();
        var totals = plane.totals();
        Map<String, Object> current = new LinkedHashMap<>();
        current.put("sessionsown", live);
        current.put("sessionsforeign", 0);
        current.put("sessionstotal", live);
        current.put("transcodedmedia", 0);
        Map<String, Object> total = new LinkedHashMap<>();
        total.put("uptime", Long.toString((System.currentTimeMillis() - startedMs) / 1000));
        total.put("managedsessions", managedSessions);
        total.put("rejectedsessions", rejectedSessions);
        total.put("regularterminatedsessions", terminatedSessions);
        total.put("relayedpackets", totals.sent());
        total.put("relayedbytes", totals.get(io.hopgate.media.Counter.SENT_OCTETS));
        long errors = 0;
        for (io.hopgate.media.DropReason r : io.hopgate.media.DropReason.values()) {
            errors += totals.dropped(r);
        }
        total.put("relayedpacketerrors", errors);
        Map<String, Object> statistics = new LinkedHashMap<>();
        statistics.put("currentstatistics", current);
        statistics.put("totalstatistics", total);
        return Bencode.dict().put("result", "ok").put("statistics", statistics).build();
    }

    private static void refuseRecording(NgRequest request) {
        String record = request.string("record-call");
        if (request.flag("record-call") || (record != null && (record.equalsIgnoreCase("yes")
            || record.equalsIgnoreCase("on")))) {
            throw new NgException("record call is not supported: Hopgate does not record media");
        }
    }

    private void checkAddressFamily(NgRequest request) {
        String family = request.string("address-family");
        if (family == null) {
            return;
        }
        InetAddress local = plane.config().address();
        String ours = local instanceof Inet6Address ? "IP6" : "IP4";
        if (!family.equals("IP4") && !family.equals("IP6")) {
            throw new NgException("address family '" + family + "' must be IP4 or IP6");
        }
        if (!family.equals(ours)) {
            throw new NgException("address family " + family + " asked, but media.address="
                + local.getHostAddress() + " is " + ours + " (one address family per gateway)");
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @FunctionalInterface
    private interface PlaneCall<T> {
        T run() throws MediaPlaneException;
    }

    /** Runs a media-plane command; its typed failure (limits, ports) becomes the error reason as it is. */
    private static <T> T plane(PlaneCall<T> call) {
        try {
            return call.run();
        } catch (MediaPlaneException e) {
            throw new NgException(e.getMessage());
        }
    }

}
