package io.hopgate.control.mgc;

import io.hopgate.control.h248.LocalControlMode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hopgate.control.h248.MediaDescriptor;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class GatewayClientTest {
    @Test
    void shouldReadRtpAddressFromGatewayLocalSdp() {
        assertThat(GatewayClient.parseSdp("v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 30002 RTP/AVP 0\r\n"))
            .isEqualTo(new InetSocketAddress("127.0.0.1", 30002));
        assertThat(GatewayClient.parseSdp("v=0\nc=IN IP6 ::1\nm=audio 30004 RTP/AVP 0"))
            .isEqualTo(new InetSocketAddress("::1", 30004));
    }

    @Test
    void shouldRefuseSdpWithoutConnectionOrMedia() {
        assertThatThrownBy(() -> GatewayClient.parseSdp("v=0\nm=audio 4 RTP/AVP 0"))
            .hasMessageContaining("v=0");
    }

    @Test
    void shouldWriteRemoteSdpAndModeIntoStreamOne() {
        MediaDescriptor media = GatewayClient.media(LocalControlMode.INACTIVE,
            new InetSocketAddress("127.0.0.1", 4000));
        assertThat(media.stream(1).localControl().mode()).isEqualTo(LocalControlMode.INACTIVE);
        assertThat(media.stream(1).remoteSdp()).isEqualTo("v=0\nc=IN IP4 127.0.0.1\nm=audio 4000 RTP/AVP 0");
        assertThat(GatewayClient.media(null, null).stream(1).localControl()).isNull();
        assertThat(GatewayClient.media(null, null).stream(1).remoteSdp()).isNull();
    }

    @Test
    void shouldWriteTheMovingFlagAloneSoModeAndRemoteStayAsTheyAre() {
        MediaDescriptor media = GatewayClient.media(GatewayClient.StreamRequest.MOVING);
        assertThat(media.stream(1).localControl().mode()).isNull();
        assertThat(media.stream(1).localControl().properties()).containsExactly(
            java.util.Map.entry(GatewayClient.MOVING_PROPERTY, "on"));
        assertThat(media.stream(1).remoteSdp()).isNull();
    }

    @Test
    void shouldPassAPartysWholeSdpAsTheRemote() {
        String sdp = "v=0\nc=IN IP4 127.0.0.1\nm=audio 4000 RTP/AVP 8\na=rtpmap:8 PCMA/8000";
        MediaDescriptor media = GatewayClient.media(GatewayClient.StreamRequest.of(LocalControlMode.SEND_RECEIVE, sdp));
        assertThat(media.stream(1).localControl()).isEqualTo(
            io.hopgate.control.h248.LocalControlDescriptor.of(LocalControlMode.SEND_RECEIVE));
        assertThat(media.stream(1).remoteSdp()).isEqualTo(sdp);
    }

    @Test
    void shouldAskForDualReceiveOnlyForAPartyThatMoved() {
        String sdp = "v=0\nc=IN IP4 127.0.0.1\nm=audio 4000 RTP/AVP 0";
        MediaDescriptor moved = GatewayClient.media(
            GatewayClient.StreamRequest.moved(LocalControlMode.SEND_RECEIVE, sdp));
        assertThat(moved.stream(1).localControl().mode()).isEqualTo(LocalControlMode.SEND_RECEIVE);
        assertThat(moved.stream(1).localControl().properties()).containsExactly(
            java.util.Map.entry(GatewayClient.DUAL_RECEIVE_PROPERTY, "on"));
        assertThat(GatewayClient.media(GatewayClient.StreamRequest.of(LocalControlMode.SEND_RECEIVE, sdp))
            .stream(1).localControl().properties()).isEmpty();
    }
}
