package io.hopgate.control.sip;

import io.hopgate.control.channel.ChannelSettings;
import io.hopgate.control.channel.Inbox;
import io.hopgate.control.channel.MobileChannel;
import io.hopgate.control.channel.MobileListener;
import io.hopgate.control.config.Config;
import io.hopgate.control.gateway.GatewayService;
import io.hopgate.media.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The data channel finds its peer through SIP (seed 002, docs/architecture.md section 3.9): the party registers a
 * contact whose {@code hopgate-channel} parameter names its data listener's port; a channel opened by name follows
 * the party when it re-REGISTERs from its new address, and every message arrives once, in order.
 */
@Timeout(60)
class SipChannelLocatorTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration SIP = Duration.ofSeconds(3);
    private static final String BOB = "bob@example.com";

    private GatewayService gateway;
    private SipMobilityServer server;
    private TestUa bobUa;
    private MobileListener bobListener;
    private MobileChannel alice;
    private final Inbox atBob = new Inbox();

    @BeforeEach
    void start() throws Exception {
        gateway = new GatewayService(Config.load(null, List.of("control.listen=127.0.0.1:0", "admin.listen=",
            "media.port-min=28000", "media.port-max=28099")));
        gateway.start();
        server = SipMobilityServer.start(new InetSocketAddress("127.0.0.1", 0), gateway.controlAddress());
        bobUa = new TestUa(BOB, server.sipAddress());
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {alice, bobListener, bobUa, server, gateway}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the next one still closes
            }
        }
    }

    private void registerChannel(int channelPort) throws Exception {
        String contact = bobUa.contactUri() + ";" + ChannelContact.PARAMETER + "=" + channelPort;
        assertThat(bobUa.register(3600, contact, SIP).status()).isEqualTo(200);
    }

    @Test
    void aChannelOpenedByNameFollowsThePartyWhenItReRegistersFromANewAddress() throws Exception {
        bobListener = MobileListener.bind(BOB, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            ChannelSettings.DEFAULTS.withReconnectDeadline(WAIT), channel -> atBob).block(WAIT);
        assertThat(server.channelLocator().lookup(BOB)).as("not registered yet").isEmpty();
        registerChannel(bobListener.address().getPort());
        Await.until("bob's channel address known through SIP", WAIT,
            () -> server.channelLocator().lookup(BOB).isPresent());
        assertThat(server.channelLocator().lookup(BOB)).contains(bobListener.address());

        alice = MobileChannel.open("alice@example.com", BOB, server.channelLocator(),
            ChannelSettings.DEFAULTS.withReconnectDeadline(WAIT), message -> { }).block(WAIT);
        for (int i = 0; i < 100; i++) {
            alice.send(message(i));
        }
        atBob.awaitCount(100);

        // Bob's host moves: its data listener comes up on a new address, the old one is gone, and messages keep
        // being sent meanwhile; then bob re-REGISTERs from the new contact.
        InetSocketAddress moved = bobListener.rebind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .block(WAIT);
        Await.until("alice saw the old connection die", WAIT, () -> !alice.isConnected());
        for (int i = 100; i < 200; i++) {
            alice.send(message(i));
        }
        registerChannel(moved.getPort());

        atBob.awaitCount(200);
        assertThat(atBob.values()).isEqualTo(IntStream.range(0, 200).boxed().toList());
        assertThat(alice.remoteAddress()).isEqualTo(moved);
        assertThat(alice.resumes()).isEqualTo(1);
    }

    @Test
    void aContactWithoutTheParameterOrUnregisteringLeavesNoChannelAddress() throws Exception {
        registerChannel(7000);
        Await.until("registered", WAIT, () -> server.channelLocator().lookup(BOB).isPresent());
        assertThat(bobUa.register(3600, bobUa.contactUri(), SIP).status()).isEqualTo(200); // no channel any more
        Await.until("forgotten", WAIT, () -> server.channelLocator().lookup(BOB).isEmpty());
        registerChannel(7000);
        Await.until("registered again", WAIT, () -> server.channelLocator().lookup(BOB).isPresent());
        String contact = bobUa.contactUri() + ";" + ChannelContact.PARAMETER + "=7000";
        assertThat(bobUa.register(0, contact, SIP).status()).isEqualTo(200); // unregister
        Await.until("forgotten after Expires 0", WAIT, () -> server.channelLocator().lookup(BOB).isEmpty());
    }

    @Test
    void aPartyThatStopsReRegisteringHasNoChannelOnceItsBindingExpires() throws Exception {
        String contact = bobUa.contactUri() + ";" + ChannelContact.PARAMETER + "=7000";
        assertThat(bobUa.register(1, contact, SIP).status()).isEqualTo(200);
        Await.until("registered for 1 s", WAIT, () -> server.channelLocator().lookup(BOB).isPresent());
        Await.until("forgotten once the binding expired", WAIT,
            () -> server.channelLocator().lookup(BOB).isEmpty());
        assertThat(server.contact(BOB)).as("the registrar agrees").isNull();
    }

    private static byte[] message(int i) {
        return ByteBuffer.allocate(4).putInt(i).array();
    }
}
