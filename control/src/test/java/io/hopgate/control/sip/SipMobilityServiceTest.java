package io.hopgate.control.sip;

import io.hopgate.control.config.Config;
import io.hopgate.control.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SipMobilityServiceTest {

    @Test
    void shouldRefuseAConfigWithoutAGatewayNamingTheKey() {
        Config config = Config.load(null, List.of("callserver.sip.listen=127.0.0.1:0"));
        assertThatThrownBy(() -> new SipMobilityService(config))
            .isInstanceOf(ConfigException.class).hasMessageContaining("callserver.gateways");
    }

    @Test
    void shouldServeSipOnTheConfiguredAddress() throws Exception {
        Config config = Config.load(null, List.of("callserver.sip.listen=127.0.0.1:0",
            "callserver.gateways=G1=127.0.0.1:2944"));
        try (SipMobilityService service = new SipMobilityService(config)) {
            service.start();
            InetSocketAddress sip = service.server().sipAddress();
            assertThat(sip.getPort()).isPositive();
            try (TestUa ua = new TestUa("carol@example.com", sip)) {
                assertThat(ua.register(60, Duration.ofSeconds(3)).status()).isEqualTo(200);
                assertThat(service.server().contact("carol@example.com")).isEqualTo(ua.contactUri());
            }
        }
    }

    @Test
    void shouldSendTheSipSidesH248FromCallserverH248Listen() {
        Config config = Config.load(null, List.of("callserver.sip.listen=127.0.0.1:0",
            "callserver.h248.listen=127.0.0.1:0", "callserver.api.listen=127.0.0.1:0",
            "callserver.gateways=G1=127.0.0.1:2944"));
        io.hopgate.control.callserver.CallServerService service =
            new io.hopgate.control.callserver.CallServerService(config);
        try {
            service.start();
            assertThat(service.sipServer().h248Address()).as("one H.248 socket, the configured one")
                .isEqualTo(service.h248Address());
        } finally {
            service.close();
        }
    }
}
