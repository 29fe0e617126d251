package io.hopgate.control.channelcli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hopgate.control.Main;
import io.hopgate.control.Services;
import io.hopgate.control.callserver.CallServerService;
import io.hopgate.control.channel.HttpLocator;
import io.hopgate.control.config.Config;
import io.hopgate.media.Await;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@code hopgate channel} end to end against a call server in this JVM (docs/architecture.md section 3.9): the listen
 * role registers over real SIP, the send role finds it over the call server's HTTP API, and lines arrive once each,
 * in order, across a move of the listener to a new address and port. Every port is ephemeral.
 */
@Timeout(90)
class ChannelCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ALICE = "alice@example.com";

    private CallServerService callServer;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void startCallServer() throws Exception {
        callServer = callServer("callserver.sip.listen=127.0.0.1:0");
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : reversed(closing)) { // the call servers last: a listener un-REGISTERs as it closes
            try {
                c.close();
            } catch (Exception ignored) {
                // the next one still closes
            }
        }
    }

    private static List<AutoCloseable> reversed(List<AutoCloseable> list) {
        List<AutoCloseable> copy = new ArrayList<>(list);
        Collections.reverse(copy);
        return copy;
    }

    private CallServerService callServer(String sipListen) {
        // The gateway is never asked: no call is set up, only REGISTERs and lookups.
        CallServerService service = new CallServerService(Config.load(null, List.of(
            "callserver.gateways=G1=127.0.0.1:9", "callserver.api.listen=127.0.0.1:0",
            "callserver.h248.listen=127.0.0.1:0", sipListen)));
        closing.add(service);
        service.start();
        return service;
    }

    private ChannelOptions options(String... sets) {
        List<String> all = new ArrayList<>(List.of("channel.aor=" + ALICE,
            "channel.registrar=" + ChannelListen.format(callServer.sipServer().sipAddress()),
            "channel.callserver=http://" + ChannelListen.format(callServer.apiAddress()), "channel.poll-ms=100",
            "channel.reconnect-deadline-ms=15000"));
        all.addAll(Arrays.asList(sets));
        return ChannelOptions.from(Config.load(null, all));
    }

    private ChannelListen listen(ChannelOptions options, OutputStream out) throws IOException {
        ChannelListen listen = new ChannelListen(options, out, new PrintStream(OutputStream.nullOutputStream()));
        closing.add(listen);
        listen.start();
        return listen;
    }

    private HttpResponse<String> lookup(CallServerService server, String aor) throws Exception {
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://" + ChannelListen.format(server.apiAddress())
            + "/parties/" + aor + "/channel")).timeout(WAIT).GET().build();
        return HttpClient.newHttpClient().send(get, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyLineArrivesOnceInOrderAcrossAMoveOfTheListener() throws Exception {
        Lines received = new Lines();
        ChannelListen listen = listen(options("channel.move-hosts=127.0.0.1,127.0.0.2"), received);
        PipedOutputStream stdin = new PipedOutputStream();
        ChannelSend send = new ChannelSend(options("channel.role=send"),
            new PipedInputStream(stdin, 1 << 16), new PrintStream(OutputStream.nullOutputStream()));
        closing.add(send);
        send.start();
        assertThat(send.channel().remoteAddress()).isEqualTo(listen.address());

        write(stdin, 0, 100);
        Await.until("the first 100 lines printed", WAIT, () -> received.count() >= 100);

        // The listener's host moves: a new address and port; the old socket and its connection are gone, and
        // more lines are written while the sender has not heard of the move yet.
        InetSocketAddress before = listen.address();
        write(stdin, 100, 150);
        InetSocketAddress moved = listen.move();
        write(stdin, 150, 200);
        assertThat(moved.getAddress()).isEqualTo(InetAddress.getByName("127.0.0.2"));
        assertThat(moved).isNotEqualTo(before);

        Await.until("200 lines printed", WAIT, () -> received.count() >= 200);
        stdin.close();
        assertThat(send.finished().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        assertThat(received.lines()).isEqualTo(IntStream.range(0, 200).mapToObj(i -> "line " + i).toList());
        assertThat(send.channel().remoteAddress()).isEqualTo(moved);
        assertThat(send.channel().resumes()).isEqualTo(1);
        assertThat(send.sent()).isEqualTo(200);
    }

    @Test
    void theLookupAnswers200WithTheContactThen404AfterUnregisterAnd409WithSipOff() throws Exception {
        assertThat(lookup(callServer, ALICE).statusCode()).as("not registered yet").isEqualTo(404);
        ChannelListen listen = listen(options(), OutputStream.nullOutputStream());
        HttpResponse<String> found = lookup(callServer, ALICE);
        assertThat(found.statusCode()).isEqualTo(200);
        assertThat(found.body()).contains("\"host\":\"127.0.0.1\"", "\"port\":" + listen.address().getPort());
        assertThat(lookup(callServer, "nobody@example.com").statusCode()).isEqualTo(404);

        listen.close(); // Expires 0
        Await.until("forgotten after the un-REGISTER", WAIT, () -> callServer.sipServer().channelLocator()
            .lookup(ALICE).isEmpty());
        HttpResponse<String> gone = lookup(callServer, ALICE);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.body()).contains("no data channel for " + ALICE);

        CallServerService noSip = callServer("callserver.sip.listen=");
        HttpResponse<String> off = lookup(noSip, ALICE);
        assertThat(off.statusCode()).isEqualTo(409);
        assertThat(off.body()).contains("SIP is off", "callserver.sip.listen");
        try (HttpLocator locator = new HttpLocator(URI.create("http://" + ChannelListen.format(noSip.apiAddress())),
            Duration.ofMillis(100), Duration.ofSeconds(5))) {
            HttpLocator.Answer answer = locator.locate(ALICE);
            assertThat(answer.status()).isEqualTo(409);
            assertThat(answer.address()).isEmpty();
            assertThat(answer.error()).contains("SIP is off");
            assertThat(locator.lookup(ALICE)).isEmpty();
        }
    }

    @Test
    void theListenerRenewsItsRegistrationBeforeItExpires() throws Exception {
        ChannelListen listen = listen(options("channel.expires-s=2"), OutputStream.nullOutputStream());
        // Granted 2 s, renewed every second: a third REGISTER within a few seconds, and the binding stays.
        Await.until("two renewals", WAIT, () -> listen.registrations() >= 3);
        assertThat(callServer.sipServer().channelLocator().lookup(ALICE)).contains(listen.address());
        assertThat(callServer.sipServer().contact(ALICE)).as("the binding is live in the registrar").isNotNull();
    }

    @Test
    void aBadKeyOrValueExitsWith2NamingIt() {
        Services.register("channel", ChannelService::new); // another test may have unregistered it
        assertThat(runMain("channel", "listen")).isEqualTo(Main.EXIT_USAGE);
        assertThat(lastError).contains("channel.aor is empty");
        assertThat(runMain("channel", "talk", ALICE)).isEqualTo(Main.EXIT_USAGE);
        assertThat(lastError).contains("channel.role=talk");
        assertThat(runMain("channel", "send", ALICE, "--set", "channel.callserver=ftp://x")).isEqualTo(2);
        assertThat(lastError).contains("channel.callserver=ftp://x");
        assertThat(runMain("channel", "listen", ALICE, "--set", "channel.listen=0.0.0.0:0")).isEqualTo(2);
        assertThat(lastError).contains("channel.listen=0.0.0.0:0");
        assertThat(runMain("channel", "listen", ALICE, "--set", "channel.expires=5")).isEqualTo(2);
        assertThat(lastError).contains("unknown key 'channel.expires'", "channel.expires-s");
        assertThat(runMain("channel", "--help")).isZero();
        assertThat(lastOut).contains("channel.registrar", "channel.callserver", "channel.move-every-ms", "ROLE");
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void aChildListenerPrintsWhatArrivesAndOnSigtermUnregistersAndExits0() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
            Main.class.getName(), "channel", "listen", ALICE, "--set",
            "channel.registrar=" + ChannelListen.format(callServer.sipServer().sipAddress())))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        Lines stdout = new Lines();
        Thread reader = new Thread(() -> {
            try {
                child.getInputStream().transferTo(stdout);
            } catch (IOException ignored) {
                // the stream closes with the process
            }
        }, "child-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            Await.until("the child registered", Duration.ofSeconds(60),
                () -> callServer.sipServer().channelLocator().lookup(ALICE).isPresent());
            ChannelSend send = new ChannelSend(options("channel.role=send"),
                new ByteArrayInputStream("hello from the test\n".getBytes(StandardCharsets.UTF_8)),
                new PrintStream(OutputStream.nullOutputStream()));
            closing.add(send);
            send.start();
            assertThat(send.finished().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
            Await.until("the child printed the line", WAIT, () -> stdout.lines().contains("hello from the test"));

            assertThat(child.toHandle().destroy()).as("SIGTERM sent").isTrue();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
            assertThat(child.exitValue()).isZero();
            Await.until("un-registered", WAIT, () -> callServer.sipServer().channelLocator().lookup(ALICE).isEmpty());
            assertThat(callServer.sipServer().contact(ALICE)).isNull();
        } finally {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private String lastError;
    private String lastOut;

    private int runMain(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        lastOut = out.toString();
        lastError = err.toString();
        return code;
    }

    private static void write(PipedOutputStream stdin, int from, int to) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = from; i < to; i++) {
            text.append("line ").append(i).append('\n');
        }
        stdin.write(text.toString().getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** What the listen role printed, split into lines. */
    static final class Lines extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        synchronized List<String> lines() {
            return bytes.toString(StandardCharsets.UTF_8).lines().toList();
        }

        synchronized int count() {
            return (int) bytes.toString(StandardCharsets.UTF_8).chars().filter(c -> c == '\n').count();
        }
    }
}
