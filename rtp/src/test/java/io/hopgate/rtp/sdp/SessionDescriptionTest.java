package io.hopgate.rtp.sdp;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionDescriptionTest {
    private static final String OFFER = String.join("\r\n",
        "v=0",
        "o=alice 2890844526 2890844526 IN IP4 192.0.2.10",
        "s=-",
        "c=IN IP4 192.0.2.10",
        "t=0 0",
        "a=tool:hopgate",
        "m=audio 49170 RTP/AVP 0 8 101",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:101 telephone-event/8000",
        "a=fmtp:101 0-15",
        "a=ptime:20",
        "a=sendrecv",
        "") ;

    /** What H.248 peers put in a Local descriptor: no o=, s= or t=, and $ for what the gateway chooses. */
    private static final String H248_CHOOSE = "v=0\nc=IN IP4 $\nm=audio $ RTP/AVP 0";

    @Test
    void shouldParseTypicalOffer() throws SdpException {
        final SessionDescription sdp = SessionDescription.parse(OFFER);

        assertThat(sdp.version()).isZero();
        assertThat(sdp.origin()).isEqualTo("alice 2890844526 2890844526 IN IP4 192.0.2.10");
        assertThat(sdp.sessionName()).isEqualTo("-");
        assertThat(sdp.timing()).isEqualTo("0 0");
        assertThat(sdp.connection()).isEqualTo(new Connection("IN", "IP4", "192.0.2.10"));
        assertThat(sdp.connectionAddress()).isEqualTo("192.0.2.10");
        assertThat(sdp.isConnectionChoose()).isFalse();
        assertThat(sdp.attributes()).containsExactly("tool:hopgate");
        assertThat(sdp.media()).hasSize(1);

        final MediaDescription audio = sdp.audio();
        assertThat(audio).isSameAs(sdp.firstMedia());
        assertThat(audio.media()).isEqualTo("audio");
        assertThat(audio.port()).isEqualTo(49170).isEqualTo(sdp.port());
        assertThat(audio.portCount()).isEqualTo(1);
        assertThat(audio.proto()).isEqualTo("RTP/AVP");
        assertThat(audio.formats()).containsExactly("0", "8", "101");
        assertThat(audio.payloadTypes()).containsExactly(0, 8, 101);
        assertThat(audio.rtpMaps()).extracting(RtpMap::encodingName).containsExactly("PCMU", "PCMA", "telephone-event");
        assertThat(audio.ptime()).isEqualTo(20);
        assertThat(audio.direction()).isEqualTo(Direction.SENDRECV);
        assertThat(audio.attributes()).contains("fmtp:101 0-15");
        assertThat(sdp.clockRate(101)).isEqualTo(8000);
        assertThat(sdp.clockRate(0)).isEqualTo(8000);
        assertThat(sdp.direction(0)).isEqualTo(Direction.SENDRECV);
    }

    @Test
    void shouldRoundTripTypicalOfferExactly() throws SdpException {
        final SessionDescription sdp = SessionDescription.parse(OFFER);
        assertThat(sdp.format("\r\n")).isEqualTo(OFFER);
        assertThat(sdp.toString()).isEqualTo(OFFER);
        assertThat(SessionDescription.parse(sdp.format("\n"))).isEqualTo(sdp);
    }

    @Test
    void shouldParseAndRoundTripH248ChooseForm() throws SdpException {
        final SessionDescription sdp = SessionDescription.parse(H248_CHOOSE);

        assertThat(sdp.origin()).isNull();
        assertThat(sdp.sessionName()).isNull();
        assertThat(sdp.timing()).isNull();
        assertThat(sdp.isConnectionChoose()).isTrue();
        assertThat(sdp.connectionAddress()).isEqualTo("$");
        assertThat(sdp.isPortChoose()).isTrue();
        assertThat(sdp.port()).isEqualTo(MediaDescription.CHOOSE);
        assertThat(sdp.clockRate(0)).isEqualTo(8000);
        assertThat(sdp.audio().clockRate()).isEqualTo(8000);
        assertThat(sdp.direction(0)).isEqualTo(Direction.SENDRECV);
        assertThat(sdp.format("\n")).isEqualTo(H248_CHOOSE + "\n");
    }

    @Test
    void shouldFillChosenAddressAndPortImmutably() throws SdpException {
        final SessionDescription request = SessionDescription.parse(H248_CHOOSE);
        final SessionDescription reply = request.withConnection("IP4", "198.51.100.7").withMediaPort(0, 30000);

        assertThat(reply.format("\n")).isEqualTo("v=0\nc=IN IP4 198.51.100.7\nm=audio 30000 RTP/AVP 0\n");
        assertThat(reply.isConnectionChoose()).isFalse();
        assertThat(reply.isPortChoose()).isFalse();
        assertThat(request.isConnectionChoose()).isTrue();
        assertThat(request.isPortChoose()).isTrue();
        assertThat(reply.withMediaPort(0, MediaDescription.CHOOSE).isPortChoose()).isTrue();
    }

    @Test
    void shouldPreferMediaLevelConnection() throws SdpException {
        final SessionDescription sdp = SessionDescription.parse(
            "v=0\nc=IN IP4 192.0.2.1\nm=audio 4000 RTP/AVP 8\nc=IN IP4 192.0.2.2\n");
        assertThat(sdp.connectionAddress()).isEqualTo("192.0.2.2");
        assertThat(sdp.connection().address()).isEqualTo("192.0.2.1");

        final SessionDescription moved = sdp.withConnection("IP4", "203.0.113.9");
        assertThat(moved.connectionAddress()).isEqualTo("203.0.113.9");
        assertThat(moved.connection().address()).isEqualTo("203.0.113.9");

        final SessionDescription perMedia = sdp.withMediaConnection(0, "IP6", "$");
        assertThat(perMedia.isConnectionChoose()).isTrue();
        assertThat(perMedia.connection(0).isIp6()).isTrue();
    }

    @Test
    void shouldParseIpv6() throws SdpException {
        final String text = "v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\nc=IN IP6 2001:db8::1\r\nt=0 0\r\n" +
            "m=audio 5004 RTP/AVP 96\r\na=rtpmap:96 opus/48000/2\r\na=recvonly\r\n";
        final SessionDescription sdp = SessionDescription.parse(text);

        assertThat(sdp.connection().isIp6()).isTrue();
        assertThat(sdp.connectionAddress()).isEqualTo("2001:db8::1");
        assertThat(sdp.clockRate(96)).isEqualTo(48000);
        assertThat(sdp.audio().rtpMap(96).channels()).isEqualTo(2);
        assertThat(sdp.direction(0)).isEqualTo(Direction.RECVONLY);
        assertThat(sdp.format()).isEqualTo(text);

        assertThat(SessionDescription.parse("v=0\nc=IN IP6 ::ffff:192.0.2.1\nm=audio 1 RTP/AVP 0")
            .connectionAddress()).isEqualTo("::ffff:192.0.2.1");
        assertThat(SessionDescription.parse("v=0\nc=IN IP6 $\nm=audio $ RTP/AVP 0").isConnectionChoose()).isTrue();
    }

    @Test
    void shouldUseStaticClockRatesWithoutRtpmap() throws SdpException {
        final SessionDescription sdp = SessionDescription.parse("v=0\nm=audio 1000 RTP/AVP 0 3 4 8 9 18 96");
        assertThat(sdp.clockRate(0)).isEqualTo(8000);
        assertThat(sdp.clockRate(3)).isEqualTo(8000);
        assertThat(sdp.clockRate(4)).isEqualTo(8000);
        assertThat(sdp.clockRate(8)).isEqualTo(8000);
        assertThat(sdp.clockRate(9)).isEqualTo(8000);
        assertThat(sdp.clockRate(18)).isEqualTo(8000);
        assertThat(sdp.clockRate(96)).isEqualTo(StaticPayloadTypes.UNKNOWN);
        assertThat(sdp.connectionAddress()).isNull();
        assertThat(sdp.isConnectionChoose()).isFalse();
    }

    @Test
    void shouldKeepUnknownLinesAndMultipleMediaInOrder() throws SdpException {
        final String text = String.join("\n",
            "v=0", "o=- 0 0 IN IP4 0.0.0.0", "s=x", "i=info", "c=IN IP4 host.example.com", "b=AS:64",
            "t=0 0", "r=7d 1h 0 25h", "t=1 2", "a=inactive",
            "m=video 0 RTP/AVP 31", "b=AS:128", "a=rtpmap:31 H261/90000",
            "m=audio 7000/2 RTP/AVP 0", "i=speech", "c=IN IP4 224.2.1.1/127", "a=x-unknown:1", "");
        final SessionDescription sdp = SessionDescription.parse(text);

        assertThat(sdp.format("\n")).isEqualTo(text);
        assertThat(sdp.media()).hasSize(2);
        assertThat(sdp.audio()).isSameAs(sdp.media(1));
        assertThat(sdp.port()).isEqualTo(7000);
        assertThat(sdp.audio().portCount()).isEqualTo(2);
        assertThat(sdp.media(0).clockRate(31)).isEqualTo(90000);
        assertThat(sdp.direction(1)).isEqualTo(Direction.INACTIVE);
        assertThat(sdp.connectionAddress()).isEqualTo("224.2.1.1/127");
    }

    @Test
    void shouldBuildDescriptionFromParts() {
        final SessionDescription sdp = SessionDescription.of(Connection.in("IP4", "$"),
            List.of(MediaDescription.of("audio", MediaDescription.CHOOSE, "RTP/AVP", List.of("8"))
                .withDirection(Direction.SENDONLY)));
        assertThat(sdp.format("\n")).isEqualTo("v=0\nc=IN IP4 $\nm=audio $ RTP/AVP 8\na=sendonly\n");
        assertThat(sdp.audio().withDirection(Direction.RECVONLY).attributes()).containsExactly("recvonly");
        assertThat(sdp.audio().withDirection(null).attributes()).isEmpty();
    }

    @Test
    void shouldRejectMissingVersionLine() {
        assertRejected("c=IN IP4 $\nm=audio $ RTP/AVP 0", 1, "missing v=");
        assertRejected("", 1, "missing v=");
        assertRejected("\n\n", 3, "missing v=");
        assertRejected("v=1\nm=audio 0 RTP/AVP 0", 1, "version");
    }

    @Test
    void shouldRejectBadMediaLines() {
        assertRejected("v=0\nm=audio", 2, "bad m= line");
        assertRejected("v=0\nm=audio 4000 RTP/AVP", 2, "bad m= line");
        assertRejected("v=0\nm=audio port RTP/AVP 0", 2, "'port' is not a number");
        assertRejected("v=0\nm=audio -1 RTP/AVP 0", 2, "not a number");
        assertRejected("v=0\nm=audio 70000 RTP/AVP 0", 2, "70000 out of range 0..65535");
        assertRejected("v=0\nm=audio 99999999999 RTP/AVP 0", 2, "not a number");
        assertRejected("v=0\nm=audio 4000/x RTP/AVP 0", 2, "port count");
    }

    @Test
    void shouldRejectBadConnectionAndAttributeLines() {
        assertRejected("v=0\nc=IN IP4", 2, "bad c= line");
        assertRejected("v=0\nc=ATM NSAP 1", 2, "not IN");
        assertRejected("v=0\nc=IN IPX 1.2.3.4", 2, "not IP4 or IP6");
        assertRejected("v=0\nc=IN IP4 1.2.3.999", 2, "not an IP4 address");
        assertRejected("v=0\nc=IN IP6 zz::1", 2, "not an IP6 address");
        assertRejected("v=0\nc=IN IP4 1.2.3.4\nc=IN IP4 1.2.3.5", 3, "second session-level c=");
        assertRejected("v=0\nm=audio 0 RTP/AVP 0\na=rtpmap:x PCMU/8000", 3, "bad a=rtpmap");
        assertRejected("v=0\nm=audio 0 RTP/AVP 0\na=rtpmap:200 PCMU/8000", 3, "bad a=rtpmap");
        assertRejected("v=0\nm=audio 0 RTP/AVP 0\na=rtpmap:0 PCMU", 3, "clock rate");
        assertRejected("v=0\nm=audio 0 RTP/AVP 0\na=rtpmap:0 PCMU/fast", 3, "clock rate");
        assertRejected("v=0\na=rtpmap:0 PCMU/8000", 2, "before m=");
        assertRejected("v=0\nm=audio 0 RTP/AVP 0\ns=late", 3, "session-level");
        assertRejected("v=0\nhello", 2, "<type>=<value>");
        assertRejected("v=0\nV=0", 2, "<type>=<value>");
        assertRejected("v=0\nv=0", 2, "second v=");
        assertRejected("v=0\ns=a\rb", 2, "bare CR");
        assertRejected("v=0\ns=a\0b", 2, "NUL");
    }

    @Test
    void shouldQuoteOffendingLineInMessage() {
        assertThatThrownBy(() -> SessionDescription.parse("v=0\r\ns=-\r\nm=audio 65536 RTP/AVP 0\r\n"))
            .isInstanceOf(SdpException.class)
            .hasMessage("SDP line 3 'm=audio 65536 RTP/AVP 0': port 65536 out of range 0..65535")
            .satisfies(e -> assertThat(((SdpException)e).line()).isEqualTo("m=audio 65536 RTP/AVP 0"));
    }

    @Test
    void shouldRejectNullAndRefuseBadPortInWith() throws SdpException {
        assertThatThrownBy(() -> SessionDescription.parse(null)).isInstanceOf(SdpException.class);
        final SessionDescription sdp = SessionDescription.parse(H248_CHOOSE);
        assertThatThrownBy(() -> sdp.withMediaPort(0, 65536))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65536");
    }

    @Test
    void shouldOnlyThrowSdpExceptionOnRandomText() {
        final Random random = new Random(0x5D9_0003L);
        final String alphabet = "vocsmta=$ \r\n0123456789/:.IPN46RTAVaudiortpmap";
        final String[] seeds = {OFFER, H248_CHOOSE};
        for (int i = 0; i < 20_000; i++) {
            final StringBuilder text = new StringBuilder(seeds[random.nextInt(seeds.length)]);
            final int mutations = 1 + random.nextInt(6);
            for (int m = 0; m < mutations && text.length() > 0; m++) {
                final int at = random.nextInt(text.length());
                switch (random.nextInt(3)) {
                    case 0: text.deleteCharAt(at); break;
                    case 1: text.insert(at, alphabet.charAt(random.nextInt(alphabet.length()))); break;
                    default: text.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length()))); break;
                }
            }
            parseAndReformat(text.toString());
        }
    }

    /** Parses; on success the formatted text must parse to an equal description. Only SdpException may escape. */
    static void parseAndReformat(final String text) {
        final SessionDescription sdp;
        try {
            sdp = SessionDescription.parse(text);
        } catch (final SdpException expected) {
            assertThat(expected.lineNumber()).isPositive();
            return;
        }
        try {
            assertThat(SessionDescription.parse(sdp.format("\n"))).isEqualTo(sdp);
        } catch (final SdpException e) {
            throw new AssertionError("formatted SDP did not parse back: " + sdp.format("\n"), e);
        }
        if (!sdp.media().isEmpty()) {
            sdp.port();
            sdp.isPortChoose();
            sdp.connectionAddress();
            sdp.clockRate(0);
        }
    }

    private static void assertRejected(final String text, final int lineNumber, final String reason) {
        assertThatThrownBy(() -> SessionDescription.parse(text))
            .isInstanceOf(SdpException.class)
            .hasMessageContaining(reason)
            .satisfies(e -> assertThat(((SdpException)e).lineNumber()).isEqualTo(lineNumber));
    }
}
