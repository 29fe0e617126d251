package io.hopgate.control.load;

import io.hopgate.control.config.Config;
import io.hopgate.control.gateway.GatewayService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class H248CallSetupTest {
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldSetUpLoadCallsOverH248CarryTheirRtpAndTearThemDown() throws Exception {
        GatewayService gateway = new GatewayService(Config.load(null, List.of("control.listen=127.0.0.1:0",
            "admin.listen=", "media.port-min=26200", "media.port-max=26399")));
        gateway.start();
        try {
            H248CallSetup setup = new H248CallSetup(gateway.controlAddress(), 4);
            LoadReport report = LoadGenerator.run(new LoadOptions(5, 500, 1, 0).withDrainMs(500).withProgress(false),
                setup);
            assertThat(report.sent()).isPositive();
            assertThat(report.misrouted()).isZero();
            assertThat(report.lossPercent()).isLessThanOrEqualTo(1.0);
            assertThat(gateway.plane().totals().sent()).as("the packets went through the gateway")
                .isGreaterThanOrEqualTo(report.delivered());
            assertThat(gateway.plane().contexts()).as("torn down with Subtract").isEmpty();
        } finally {
            gateway.close();
        }
    }
}
