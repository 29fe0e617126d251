package io.hopgate.control.ng;

import io.hopgate.media.MediaContext;
import io.hopgate.rtp.sdp.SessionDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an ng call keeps in {@code state.redis} beside its media (docs/ha.md, "ng calls"): each termination of the
 * call's context carries, as front-end attributes of the call state, the call id, its party (0 sent the first offer)
 * and tag, its media section, and the party's last SDP. A restarted gateway rebuilds the ng call from them, so the
 * proxy's next offer, answer, query or delete finds it.
 */
final class NgCallState {
    private static final Logger LOG = LoggerFactory.getLogger(NgCallState.class);
    static final String CALL_ID = "ng.call-id";
    private static final String PARTY = "ng.party";
    private static final String TAG = "ng.tag";
    private static final String MEDIA = "ng.media";
    private static final String SDP = "ng.sdp";
    private static final String CREATED_MS = "ng.created-ms";
    private static final String LAST_OFFERER = "ng.last-offerer";
    /** When a pending delete-delay is due (epoch ms); absent without one. */
    private static final String DELETE_AT_MS = "ng.delete-at-ms";
    /**
     * The options of the party's last offer or answer that change how its SDP is read (and so what a restart reads
     * back): {@code transport protocol} (an RTP/AVPF section is accepted as RTP/AVP) and {@code media address}
     * (overrides the SDP's c= address). The others (replace, ICE, rtcp-mux, the rtcp attribute flags) only shape the
     * SDP Hopgate sends in that command's reply, and every later command brings its own.
     */
    private static final String TRANSPORT_PROTOCOL = "ng.transport-protocol";
    private static final String MEDIA_ADDRESS = "ng.media-address";

    private NgCallState() {
    }

    /** True when the attributes were written by the ng front end. */
    static boolean owns(Map<String, String> attributes) {
        return attributes.containsKey(CALL_ID);
    }

    /** The attributes of termination {@code media} of party {@code party} of {@code call}. */
    static Map<String, String> attributes(NgCall call, int party, int media) {
        NgCall.Party p = call.parties[party];
        Map<String, String> out = new HashMap<>();
        out.put(CALL_ID, call.callId);
        out.put(PARTY, Integer.toString(party));
        out.put(TAG, p.tag == null ? "" : p.tag);
        out.put(MEDIA, Integer.toString(media));
        out.put(CREATED_MS, Long.toString(call.createdMs));
        out.put(LAST_OFFERER, Integer.toString(call.lastOfferer));
        if (call.deleteAtMs > 0) {
            out.put(DELETE_AT_MS, Long.toString(call.deleteAtMs));
        }
        if (p.sdp != null && media == 0) {
            out.put(SDP, p.sdp.format("\n"));
            if (p.options != null && p.options.transportProtocol() != null) {
                out.put(TRANSPORT_PROTOCOL, p.options.transportProtocol());
            }
            if (p.options != null && p.options.mediaAddress() != null) {
                out.put(MEDIA_ADDRESS, p.options.mediaAddress().getHostAddress());
            }
        }
        return out;
    }

    /**
     * The ng calls the restored legs make up, by call id. A call whose legs do not form two parties of equally many
     * media sections in one context is left out and logged: its context stays (H.248 can still release it).
     */
    static Map<String, NgCall> rebuild(List<NgLeg> legs) {
        Map<String, List<NgLeg>> byCall = new LinkedHashMap<>();
        for (NgLeg leg : legs) {
            byCall.computeIfAbsent(leg.attributes().get(CALL_ID), k -> new ArrayList<>()).add(leg);
        }
        Map<String, NgCall> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<NgLeg>> e : byCall.entrySet()) {
            try {
                out.put(e.getKey(), call(e.getKey(), e.getValue()));
            } catch (RuntimeException ex) {
                LOG.warn("ng call not restored call-id={} cause={}", e.getKey(), ex.getMessage());
            }
        }
        return out;
    }

    /** How a restored party's SDP is read: as a plain offer with the kept options that change the reading. */
    private static NgSdp.Options readOptions(Map<String, String> attributes) {
        String address = attributes.get(MEDIA_ADDRESS);
        InetAddress mediaAddress = null;
        if (address != null) {
            try {
                mediaAddress = InetAddress.getByName(address); // a literal, as NgSdp checked it
            } catch (UnknownHostException e) {
                throw new IllegalStateException("bad " + MEDIA_ADDRESS + " " + address, e);
            }
        }
        return new NgSdp.Options(attributes.get(TRANSPORT_PROTOCOL), false, false, true, false, mediaAddress);
    }

    private static NgCall call(String callId, List<NgLeg> legs) {
        MediaContext context = legs.get(0).termination().context();
        Map<String, String> first = legs.get(0).attributes();
        long created = Long.parseLong(first.getOrDefault(CREATED_MS, "0"));
        NgCall call = new NgCall(callId, context, created);
        call.lastOfferer = Integer.parseInt(first.getOrDefault(LAST_OFFERER, "0")) == 1 ? 1 : 0;
        call.deleteAtMs = Long.parseLong(first.getOrDefault(DELETE_AT_MS, "0"));
        List<List<NgLeg>> parties = List.of(new ArrayList<>(), new ArrayList<>());
        for (NgLeg leg : legs) {
            if (leg.termination().context() != context) {
                throw new IllegalStateException("its terminations are in more than one context");
            }
            parties.get(Integer.parseInt(leg.attributes().get(PARTY)) == 1 ? 1 : 0).add(leg);
        }
        if (parties.get(0).size() != parties.get(1).size() || parties.get(0).isEmpty()) {
            throw new IllegalStateException("parties have " + parties.get(0).size() + " and "
                + parties.get(1).size() + " media sections");
        }
        for (int p = 0; p < 2; p++) {
            List<NgLeg> party = parties.get(p);
            party.sort(Comparator.comparingInt(l -> Integer.parseInt(l.attributes().get(MEDIA))));
            String tag = party.get(0).attributes().get(TAG);
            NgCall.Party restored = new NgCall.Party(tag == null || tag.isEmpty() ? null : tag, created);
            for (NgLeg leg : party) {
                restored.terminations.add(leg.termination());
            }
            Map<String, String> lead = party.get(0).attributes();
            String sdp = lead.get(SDP);
            if (sdp != null) {
                NgSdp.Options options = readOptions(lead);
                SessionDescription parsed = NgSdp.parse(sdp, options);
                restored.sdp = parsed;
                restored.media = NgSdp.media(parsed, options);
                restored.options = options;
            }
            call.parties[p] = restored;
        }
        return call;
    }
}
