package io.hopgate.control.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hopgate.control.config.Config;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's H.248 example, sent as it is to a real gateway daemon: it must be complete and set up a call. */
class ReadmeH248ExampleTest {
    @Test
    void shouldSetUpTheReadmesCallWhenTheExampleIsPastedAsItIs() throws Exception {
        Path readme = Path.of("..", "README.md");
        assumeTrue(Files.exists(readme), "README.md not found next to the control module");
        String text = Files.readString(readme);
        int from = text.indexOf("```\n", text.indexOf("Drive it by hand with any H.248 MGC"));
        String example = text.substring(from + 4, text.indexOf("```", from + 4));
        assertThat(example).startsWith("MEGACO/1").doesNotContain("...");

        GatewayService gateway = new GatewayService(Config.load(null, List.of("control.listen=127.0.0.1:0",
            "admin.listen=", "media.port-min=21900", "media.port-max=21999", "log.level=WARN")));
        gateway.start();
        try (DatagramSocket mgc = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            mgc.setSoTimeout(5_000);
            byte[] bytes = example.getBytes(StandardCharsets.UTF_8);
            mgc.send(new DatagramPacket(bytes, bytes.length, gateway.controlAddress()));
            String reply;
            do { // TransactionPending may come first on a loaded machine
                DatagramPacket in = new DatagramPacket(new byte[65_535], 65_535);
                mgc.receive(in);
                reply = new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
            } while (reply.contains("Pending"));

            assertThat(reply).contains("Reply = 1").doesNotContain("Error");
            Matcher ports = Pattern.compile("m=audio (\\d+) RTP/AVP").matcher(reply);
            int found = 0;
            while (ports.find()) {
                assertThat(Integer.parseInt(ports.group(1))).isBetween(21900, 21999);
                found++;
            }
            assertThat(found).as("both legs got a gateway port: " + reply).isEqualTo(2);
        } finally {
            gateway.close();
        }
    }
}
