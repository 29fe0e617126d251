package io.hopgate.control.anchor;

import static org.assertj.core.api.Assertions.assertThat;

import io.hopgate.rtp.sdp.SessionDescription;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** A party offering audio and video: the gateway anchors the audio stream and the peer sees video refused. */
class SdpAnchorTest {
    private static final String AUDIO_AND_VIDEO = String.join("\r\n", "v=0", "o=alice 1 1 IN IP4 10.0.0.5", "s=-",
        "c=IN IP4 10.0.0.5", "t=0 0", "m=video 6000 RTP/AVP 96", "a=rtpmap:96 H264/90000",
        "m=audio 5000 RTP/AVP 0 8", "a=rtpmap:0 PCMU/8000", "") + "\r\n";

    @Test
    void shouldGiveTheGatewayOnlyTheAudioStream() throws Exception {
        SessionDescription anchored = SdpAnchor.anchored(SessionDescription.parse(AUDIO_AND_VIDEO));
        assertThat(anchored.media()).hasSize(1);
        assertThat(anchored.media(0).media()).isEqualTo("audio");
        assertThat(anchored.port()).isEqualTo(5000);
        assertThat(anchored.connectionAddress()).isEqualTo("10.0.0.5");
    }

    @Test
    void shouldPutTheGatewayOnTheAudioLineAndRefuseTheOthers() throws Exception {
        String rewritten = SdpAnchor.rewrite(SessionDescription.parse(AUDIO_AND_VIDEO),
            new InetSocketAddress("127.0.0.1", 20000));
        SessionDescription seen = SessionDescription.parse(rewritten);
        assertThat(seen.media()).hasSize(2);
        assertThat(seen.media(0).port()).as("video refused (RFC 3264 section 6)").isZero();
        assertThat(seen.media(1).port()).isEqualTo(20000);
        assertThat(seen.connectionAddress()).isEqualTo("127.0.0.1");
        assertThat(rewritten).contains("a=rtpmap:0 PCMU/8000").doesNotContain("c=IN IP4 10.0.0.5");
    }
}
