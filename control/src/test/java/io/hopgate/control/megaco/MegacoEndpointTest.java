package io.hopgate.control.megaco;

import io.hopgate.control.h248.ActionRequest;
import io.hopgate.control.h248.ContextId;
import io.hopgate.control.h248.Message;
import io.hopgate.control.h248.MessageParser;
import io.hopgate.control.h248.Transaction;
import io.hopgate.control.h248.TransactionPending;
import io.hopgate.control.h248.TransactionReply;
import io.hopgate.control.h248.TransactionRequest;
import io.hopgate.media.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MegacoEndpointTest {
    private MegacoEndpoint endpoint;
    private DatagramSocket peer;

    @AfterEach
    void close() {
        if (endpoint != null) {
            endpoint.close();
        }
        if (peer != null) {
            peer.close();
        }
    }

    private static InetSocketAddress anyPort() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private void openPeer() throws Exception {
        peer = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        peer.setSoTimeout(5000);
    }

    private void send(String text) throws Exception {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        peer.send(new DatagramPacket(b, b.length, endpoint.address()));
    }

    private Message receive() throws Exception {
        byte[] buf = new byte[65536];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        peer.receive(p);
        return MessageParser.parse(new String(buf, 0, p.getLength(), StandardCharsets.UTF_8));
    }

    private static final String REQUEST =
        "MEGACO/1 [127.0.0.1]:1\nTransaction = 77 { Context = - { AuditValue = ROOT } }";

    @Test
    void shouldExecuteOnceWhenTheRetransmissionArrivesWhileTheRequestRuns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger executions = new AtomicInteger();
        endpoint = MegacoEndpoint.bind(anyPort(), "[127.0.0.1]:0",
            MegacoOptions.defaults().withPendingAfterMs(60_000),
            (from, version, request) -> {
                executions.incrementAndGet();
                try {
                    release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new TransactionReply(request.id(), List.of());
            }, null);
        openPeer();
        send(REQUEST);
        Await.until("request executing", () -> executions.get() == 1);
        // The copy arrives while the first one still runs: the event loop answers it with Pending at once (the
        // control thread is busy), and it is never executed.
        send(REQUEST);
        assertThat(receive().transactions().get(0)).isEqualTo(new TransactionPending(77));
        release.countDown();
        Message first = receive();
        assertThat(first.transactions().get(0)).isInstanceOf(TransactionReply.class);
        // A later copy is answered from the reply cache with the same reply.
        send(REQUEST);
        Message second = receive();
        assertThat(second).isEqualTo(first);
        assertThat(executions.get()).isEqualTo(1);
    }

    @Test
    void shouldSendPendingWhenARequestRunsLongerThanPendingAfter() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        endpoint = MegacoEndpoint.bind(anyPort(), "[127.0.0.1]:0",
            MegacoOptions.defaults().withPendingAfterMs(50),
            (from, version, request) -> {
                try {
                    release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new TransactionReply(request.id(), List.of());
            }, null);
        openPeer();
        send(REQUEST);
        Message pending = receive();
        assertThat(pending.transactions().get(0)).isEqualTo(new TransactionPending(77));
        release.countDown();
        assertThat(receive().transactions().get(0)).isInstanceOf(TransactionReply.class);
    }

    @Test
    void shouldDropTheCachedReplyWhenThePeerAcknowledgesIt() throws Exception {
        endpoint = MegacoEndpoint.bind(anyPort(), "[127.0.0.1]:0", MegacoOptions.defaults(),
            (from, version, request) -> new TransactionReply(request.id(), List.of()), null);
        openPeer();
        send(REQUEST);
        receive();
        assertThat(endpoint.cachedAnswers()).isEqualTo(1);
        send("MEGACO/1 [127.0.0.1]:1\nTransactionResponseAck { 77 }");
        Await.until("cache entry released", () -> endpoint.cachedAnswers() == 0);
    }

    @Test
    void shouldRetransmitAClientRequestAndFailWithATimeoutWhenNobodyAnswers() throws Exception {
        endpoint = MegacoEndpoint.bind(anyPort(), "[127.0.0.1]:0",
            MegacoOptions.defaults().withRetransmit(20, 2), null, null);
        openPeer();
        CompletableFuture<TransactionReply> reply = endpoint.request(
            (InetSocketAddress) peer.getLocalSocketAddress(), 1,
            List.of(new ActionRequest(ContextId.NULL, List.of())));
        long id = -1;
        for (int i = 0; i < 3; i++) {
            Transaction t = receive().transactions().get(0);
            long seen = ((TransactionRequest) t).id();
            assertThat(id == -1 || seen == id).as("same transaction id on every send").isTrue();
            id = seen;
        }
        assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(TimeoutException.class).hasMessageContaining("after 3 sends");
        peer.setSoTimeout(200);
        assertThatThrownBy(this::receive).isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void shouldCompleteAClientRequestWithTheReplyAfterPending() throws Exception {
        endpoint = MegacoEndpoint.bind(anyPort(), "[127.0.0.1]:0",
            MegacoOptions.defaults().withRetransmit(250, 2), null, null);
        openPeer();
        CompletableFuture<TransactionReply> reply = endpoint.request(
            (InetSocketAddress) peer.getLocalSocketAddress(), 1,
            List.of(new ActionRequest(ContextId.NULL, List.of())));
        long id = ((TransactionRequest) receive().transactions().get(0)).id();
        // The Pending must get there inside the plain budget (250 + 500 + 1000 ms), which a stalled test thread on a
        // loaded machine could overrun with a shorter one.
        send("MEGACO/1 [127.0.0.1]:1\nPending = " + id + " { }");
        // Pending stretches the wait well past the 2 retransmissions that would time it out.
        long past = System.nanoTime() + 2_000_000_000L;
        Await.until("past the plain retransmission budget", () -> System.nanoTime() - past > 0);
        assertThat(reply).as("still waiting after Pending").isNotDone();
        send("MEGACO/1 [127.0.0.1]:1\nReply = " + id + " { Context = - { AuditValue = ROOT } }");
        assertThat(reply.get(5, TimeUnit.SECONDS).id()).isEqualTo(id);
    }

    @Test
    void shouldAnswerASyntaxErrorInsideAReadableTransactionInThatTransactionsReply() throws Exception {
        endpoint = MegacoEndpoint.bind(anyPort(), "[127.0.0.1]:0", MegacoOptions.defaults(),
            (from, version, request) -> new TransactionReply(request.id(), List.of()), null);
        openPeer();
        send("MEGACO/2 [127.0.0.1]:1\nTransaction = 91 { Context = - { Foo } }");
        Message m = receive();
        assertThat(m.version()).isEqualTo(2);
        assertThat(m.messageError()).as("not a message-level Error").isNull();
        TransactionReply r = (TransactionReply) m.transactions().get(0);
        assertThat(r.id()).isEqualTo(91);
        assertThat(r.error().code()).isEqualTo(400);
        assertThat(r.error().text()).contains("Foo");
        // No transaction id to name: the message-level Error stays.
        send("MEGACO/2 [127.0.0.1]:1\nTransaction = { Context = - { } }");
        Message unnamed = receive();
        assertThat(unnamed.messageError().code()).isEqualTo(400);
        assertThat(unnamed.transactions()).isEmpty();
    }

    @Test
    void shouldCountWhatTheFullControlQueueDropsAndStillAnswerAfterwards() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger overflow = new AtomicInteger();
        AtomicInteger executions = new AtomicInteger();
        endpoint = MegacoEndpoint.bind(anyPort(), "[127.0.0.1]:0",
            MegacoOptions.defaults().withPendingAfterMs(60_000).withQueueBounds(2, 100),
            (from, version, request) -> {
                executions.incrementAndGet();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new TransactionReply(request.id(), List.of());
            }, new MegacoEndpoint.Listener() {
                @Override
                public void onQueueOverflow(InetSocketAddress from) {
                    overflow.incrementAndGet();
                }
            });
        openPeer();
        send("MEGACO/1 [127.0.0.1]:1\nTransaction = 1 { Context = - { AuditValue = ROOT } }");
        Await.until("the first request executing", () -> executions.get() == 1);
        for (int id = 2; id <= 10; id++) {
            send("MEGACO/1 [127.0.0.1]:1\nTransaction = " + id + " { Context = - { AuditValue = ROOT } }");
        }
        Await.until("7 of 9 dropped (2 wait in the peer's share)", () -> overflow.get() == 7);
        assertThat(endpoint.queuedMessages()).isEqualTo(2);
        assertThat(endpoint.cachedAnswers()).as("dropped requests are forgotten").isEqualTo(3);
        release.countDown();
        Await.until("the queued ones ran", () -> executions.get() == 3);
        // A dropped request's retransmission is a fresh request: executed and answered.
        send("MEGACO/1 [127.0.0.1]:1\nTransaction = 10 { Context = - { AuditValue = ROOT } }");
        Await.until("the retransmission executed", () -> executions.get() == 4);
        long answered10 = 0;
        for (int i = 0; i < 4 && answered10 == 0; i++) {
            Transaction t = receive().transactions().get(0);
            if (t instanceof TransactionReply r && r.id() == 10) {
                answered10 = r.id();
            }
        }
        assertThat(answered10).isEqualTo(10);
    }
}
