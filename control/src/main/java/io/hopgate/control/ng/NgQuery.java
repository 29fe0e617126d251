package io.hopgate.control.ng;

import io.hopgate.media.DropReason;
import io.hopgate.media.MediaPlane;
import io.hopgate.media.RemoteAddress;
import io.hopgate.media.Termination;
import io.hopgate.media.TerminationCounters;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code query} (and {@code delete}) reply in rtpengine's shape, so monitoring scripts that read rtpengine's
 * replies keep working: {@code created}, {@code last signal}, {@code tags} (each with {@code medias} and their two
 * {@code streams}, RTP and RTCP, with {@code local port}, {@code endpoint}, {@code advertised endpoint} and
 * {@code stats}) and {@code totals} ({@code RTP}, {@code RTCP}). Counts are what Hopgate received from each party;
 * Hopgate counts octets of RTP and RTCP together, so RTCP {@code bytes} is 0 and RTP {@code bytes} holds both.
 * {@code errors} are packets dropped (wrong source, mode, malformed, no route). {@code last packet} is not kept.
 */
final class NgQuery {
    private NgQuery() {
    }

    static Map<String, Object> call(NgCall call, MediaPlane plane) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("created", call.createdMs / 1000);
        out.put("created_us", call.createdMs * 1000);
        out.put("last signal", call.lastSignalMs / 1000);
        Map<String, Object> tags = new LinkedHashMap<>();
        long[] rtp = new long[3];
        long[] rtcp = new long[3];
        for (int p = 0; p < 2; p++) {
            NgCall.Party party = call.parties[p];
            NgCall.Party other = call.parties[1 - p];
            Map<String, Object> tag = new LinkedHashMap<>();
            String name = party.tag == null ? "" : party.tag;
            tag.put("tag", name);
            tag.put("created", party.createdMs / 1000);
            if (other.tag != null) {
                tag.put("in dialogue with", other.tag);
            }
            List<Object> medias = new ArrayList<>();
            for (int i = 0; i < party.terminations.size(); i++) {
                Termination t = party.terminations.get(i);
                NgSdp.Media m = party.media == null ? null : party.media.get(i);
                TerminationCounters c = t.counters();
                long errors = 0;
                for (DropReason r : DropReason.values()) {
                    errors += c.dropped(r);
                }
                long rtcpPackets = c.rtcpReceived();
                long rtpPackets = c.received() - rtcpPackets;
                rtp[0] += rtpPackets;
                rtp[1] += c.receivedOctets();
                rtp[2] += errors;
                rtcp[0] += rtcpPackets;
                Map<String, Object> media = new LinkedHashMap<>();
                media.put("index", i + 1);
                media.put("type", m == null ? "audio" : m.type());
                media.put("protocol", "RTP/AVP");
                List<String> flags = new ArrayList<>(List.of("initialized"));
                if (m != null && m.rtcpMux()) {
                    flags.add("rtcp-mux");
                }
                media.put("flags", flags);
                RemoteAddress remote = t.remote();
                List<Object> streams = new ArrayList<>();
                streams.add(stream(t.rtpPort(), remote == null ? null : remote.rtp(),
                    m == null ? null : m.address(), "RTP", rtpPackets, c.receivedOctets(), errors));
                InetSocketAddress advertisedRtcp = m == null || m.address() == null ? null
                    : new InetSocketAddress(m.address().getAddress(), m.address().getPort() + 1);
                streams.add(stream(t.rtcpPort(), remote == null ? null : remote.rtcp(), advertisedRtcp, "RTCP",
                    rtcpPackets, 0, 0));
                media.put("streams", streams);
                media.put("termination", t.id());
                medias.add(media);
            }
            tag.put("medias", medias);
            tags.put(name, tag);
        }
        out.put("tags", tags);
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("RTP", stats(rtp[0], rtp[1], rtp[2]));
        totals.put("RTCP", stats(rtcp[0], rtcp[1], rtcp[2]));
        out.put("totals", totals);
        out.put("context", call.context.id());
        return out;
    }

    private static Map<String, Object> stream(int localPort, InetSocketAddress endpoint, InetSocketAddress advertised,
                                              String kind, long packets, long bytes, long errors) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("local port", localPort);
        if (endpoint != null) {
            s.put("endpoint", endpoint(endpoint));
        }
        if (advertised != null) {
            s.put("advertised endpoint", endpoint(advertised));
        }
        List<String> flags = new ArrayList<>(List.of(kind));
        if (endpoint != null) {
            flags.add("filled");
        }
        s.put("flags", flags);
        s.put("stats", stats(packets, bytes, errors));
        return s;
    }

    private static Map<String, Object> endpoint(InetSocketAddress a) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("family", a.getAddress() instanceof Inet6Address ? "IPv6" : "IPv4");
        e.put("address", a.getAddress().getHostAddress());
        e.put("port", a.getPort());
        return e;
    }

    private static Map<String, Object> stats(long packets, long bytes, long errors) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("packets", packets);
        s.put("bytes", bytes);
        s.put("errors", errors);
        return s;
    }
}
