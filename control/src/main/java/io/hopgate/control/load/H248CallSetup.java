package io.hopgate.control.load;

import io.hopgate.control.h248.ActionReply;
import io.hopgate.control.h248.ActionRequest;
import io.hopgate.control.h248.CommandReply;
import io.hopgate.control.h248.CommandRequest;
import io.hopgate.control.h248.CommandType;
import io.hopgate.control.h248.ContextId;
import io.hopgate.control.h248.Descriptor;
import io.hopgate.control.h248.ErrorDescriptor;
import io.hopgate.control.h248.LocalControlDescriptor;
import io.hopgate.control.h248.MediaDescriptor;
import io.hopgate.control.h248.StreamDescriptor;
import io.hopgate.control.h248.StreamMode;
import io.hopgate.control.h248.TerminationId;
import io.hopgate.control.h248.TransactionReply;
import io.hopgate.control.megaco.MegacoEndpoint;
import io.hopgate.rtp.sdp.SessionDescription;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Sets up load calls on a running gateway over H.248, as an MGC would: one transaction per call
 * ({@code Context = $ { Add = $ {...}, Add = $ {...} }}, Remote = the generator's legs), up to {@code window}
 * transactions outstanding; tears them down with Subtract.
 */
public final class H248CallSetup implements CallSetup {
    private final InetSocketAddress gateway;
    private final int window;
    private MegacoEndpoint endpoint;
    private final List<long[]> contexts = new ArrayList<>();
    private long setupMillis;

    public H248CallSetup(InetSocketAddress gateway, int window) {
        this.gateway = gateway;
        this.window = window;
    }

    @Override
    public List<CallLegs> setup(int calls, List<InetSocketAddress> legAddresses) throws Exception {
        endpoint = MegacoEndpoint.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            "[127.0.0.1]:0", MegacoEndpoint.Options.defaults().withRetransmit(500, 5), null, null);
        long start = System.nanoTime();
        Semaphore outstanding = new Semaphore(window);
        List<CompletableFuture<TransactionReply>> replies = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            outstanding.acquire();
            ActionRequest action = new ActionRequest(ContextId.CHOOSE, List.of(
                add(legAddresses.get(2 * i)), add(legAddresses.get(2 * i + 1))));
            CompletableFuture<TransactionReply> reply = endpoint.request(gateway, 1, List.of(action));
            reply.whenComplete((r, e) -> outstanding.release());
            replies.add(reply);
        }
        List<CallLegs> legs = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            TransactionReply reply = replies.get(i).get(30, TimeUnit.SECONDS);
            ActionReply action = reply.actions().isEmpty() ? null : reply.actions().get(0);
            ErrorDescriptor error = reply.error() != null ? reply.error() : action == null ? null : action.error();
            if (error != null || action == null || action.commands().size() != 2) {
                throw new IllegalStateException("call " + i + " set-up failed: "
                    + (error == null ? "incomplete reply" : error.code() + " " + error.text()));
            }
            contexts.add(new long[] {action.contextId().value()});
            legs.add(new CallLegs(relay(action.commands().get(0)), relay(action.commands().get(1))));
        }
        setupMillis = (System.nanoTime() - start) / 1_000_000;
        return legs;
    }

    /** How long {@link #setup} took, in milliseconds. */
    public long setupMillis() {
        return setupMillis;
    }

    private static CommandRequest add(InetSocketAddress leg) {
        String remote = "v=0\nc=IN IP4 " + leg.getAddress().getHostAddress() + "\nm=audio " + leg.getPort()
            + " RTP/AVP 0";
        StreamDescriptor stream = new StreamDescriptor(1, LocalControlDescriptor.of(StreamMode.SEND_RECEIVE),
            "v=0\nc=IN IP4 $\nm=audio $ RTP/AVP 0", remote);
        List<Descriptor> descriptors = List.of(new MediaDescriptor(null, List.of(stream)));
        return new CommandRequest(CommandType.ADD, TerminationId.CHOOSE, descriptors);
    }

    private static InetSocketAddress relay(CommandReply reply) throws Exception {
        MediaDescriptor media = reply.descriptor(MediaDescriptor.class);
        SessionDescription local = SessionDescription.parse(media.stream(1).localSdp());
        return new InetSocketAddress(InetAddress.getByName(local.connectionAddress()), local.port());
    }

    @Override
    public void teardown() throws Exception {
        if (endpoint == null) {
            return;
        }
        try {
            List<CompletableFuture<TransactionReply>> pending = new ArrayList<>();
            Semaphore outstanding = new Semaphore(window);
            for (long[] ctx : contexts) {
                outstanding.acquire();
                ActionRequest subtract = new ActionRequest(ContextId.of(ctx[0]), List.of(
                    new CommandRequest(CommandType.SUBTRACT, TerminationId.ALL, List.of())));
                CompletableFuture<TransactionReply> f = endpoint.request(gateway, 1, List.of(subtract));
                f.whenComplete((r, e) -> outstanding.release());
                pending.add(f);
            }
            for (CompletableFuture<TransactionReply> f : pending) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            endpoint.close();
        }
    }
}
