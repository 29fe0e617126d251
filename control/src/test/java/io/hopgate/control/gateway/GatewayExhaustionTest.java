package io.hopgate.control.gateway;

import io.hopgate.control.config.Config;
import io.hopgate.control.h248.TransactionReply;
import io.hopgate.media.RtpPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.hopgate.control.gateway.H248TestClient.add;
import static io.hopgate.control.gateway.H248TestClient.context;
import static io.hopgate.control.gateway.H248TestClient.errorCode;
import static io.hopgate.control.gateway.H248TestClient.localPort;
import static io.hopgate.control.gateway.H248TestClient.terminations;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each resource limit over H.248 (issue 11, "Exhaustion"): the request past it gets the protocol's error naming the
 * limit, the calls already up keep their media, and the capacity is back once a call is released.
 */
class GatewayExhaustionTest {
    private static final Duration ARRIVAL = Duration.ofSeconds(2);

    private GatewayService gateway;
    private H248TestClient mgc;
    private final List<RtpPeer> peers = new ArrayList<>();

    private void start(int portMin, int portMax, String... extra) throws Exception {
        List<String> sets = new ArrayList<>(List.of("control.listen=127.0.0.1:0", "admin.listen=",
            "media.port-min=" + portMin, "media.port-max=" + portMax, "control.pending-after-ms=2000"));
        sets.addAll(List.of(extra));
        gateway = new GatewayService(Config.load(null, sets));
        gateway.start();
        mgc = new H248TestClient(gateway.controlAddress());
    }

    @AfterEach
    void stop() throws Exception {
        if (mgc != null) {
            mgc.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        for (RtpPeer p : peers) {
            p.close();
        }
    }

    private record Call(long context, String t1, String t2, InetSocketAddress gw1, RtpPeer a, RtpPeer b) {
        /** One packet from a through the gateway to b. */
        void carries(int tag) throws Exception {
            a.send(gw1, tag);
            RtpPeer.Received r = b.receive(ARRIVAL);
            assertThat(r).as("packet %d of context %d forwarded", tag, context).isNotNull();
            assertThat(r.tag()).isEqualTo(tag);
        }
    }

    private Call call() throws Exception {
        RtpPeer a = new RtpPeer(peers.size() + 1);
        RtpPeer b = new RtpPeer(peers.size() + 2);
        peers.add(a);
        peers.add(b);
        TransactionReply r = mgc.transaction("Context = $ {\n" + add("SendReceive", a.port()) + ",\n"
            + add("SendReceive", b.port()) + " }");
        assertThat(errorCode(r)).as(mgc.lastRaw).isZero();
        List<String> t = terminations(r);
        return new Call(context(r), t.get(0), t.get(1), new InetSocketAddress("127.0.0.1", localPort(r, 0)), a, b);
    }

    private void release(Call c) throws Exception {
        TransactionReply r = mgc.transaction("Context = " + c.context() + " { Subtract = " + c.t1() + ", Subtract = "
            + c.t2() + " }");
        assertThat(errorCode(r)).as(mgc.lastRaw).isZero();
    }

    @Test
    void shouldRefuseAContextPastMaxContextsWith510AndAcceptItAfterARelease() throws Exception {
        start(21000, 21099, "media.max-contexts=2");
        Call first = call();
        Call second = call();
        TransactionReply r = mgc.transaction("Context = $ { " + add("SendReceive", 9) + " }");
        assertThat(errorCode(r)).as(mgc.lastRaw).isEqualTo(510);
        assertThat(mgc.lastRaw).contains("media.max-contexts=2");
        first.carries(1);
        second.carries(2);
        release(first);
        call().carries(3);
        second.carries(4);
    }

    @Test
    void shouldRefuseATerminationPastTheContextLimitNamingItAndAcceptItAfterASubtract() throws Exception {
        start(21100, 21199, "media.max-terminations-per-context=2");
        Call c = call();
        TransactionReply r = mgc.transaction("Context = " + c.context() + " { " + add("SendReceive", 9) + " }");
        // H.248.1 error 434: Max number of terminations in a context exceeded (the protocol's own code for it).
        assertThat(errorCode(r)).as(mgc.lastRaw).isEqualTo(434);
        assertThat(mgc.lastRaw).contains("media.max-terminations-per-context=2");
        c.carries(1);
        Call other = call();
        other.carries(2);
        r = mgc.transaction("Context = " + other.context() + " { Subtract = " + other.t2() + " }");
        assertThat(errorCode(r)).as(mgc.lastRaw).isZero();
        r = mgc.transaction("Context = " + other.context() + " { " + add("SendReceive", other.b().port()) + " }");
        assertThat(errorCode(r)).as("room again after a Subtract: %s", mgc.lastRaw).isZero();
        c.carries(3);
    }

    @Test
    void shouldRefusePortsPastTheRangeWith510AndHaveThemBackAfterARelease() throws Exception {
        start(21200, 21207); // 4 port pairs: two calls
        Call first = call();
        Call second = call();
        TransactionReply r = mgc.transaction("Context = $ { " + add("SendReceive", 9) + " }");
        assertThat(errorCode(r)).as(mgc.lastRaw).isEqualTo(510);
        assertThat(mgc.lastRaw).contains("media.port-min=21200").contains("media.port-max=21207");
        assertThat(gateway.plane().contexts()).as("the refused context is not left behind").hasSize(2);
        first.carries(1);
        second.carries(2);
        release(second);
        Call third = call();
        third.carries(3);
        first.carries(4);
    }
}
