package io.hopgate.control.load;

import io.hopgate.control.h248.LocalControlMode;
import io.hopgate.control.mgc.GatewayClient;
import io.hopgate.control.h248.ContextId;
import io.hopgate.control.h248.TransactionReply;
import io.hopgate.control.megaco.MegacoEndpoint;
import io.hopgate.control.megaco.MegacoOptions;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Sets up load calls on a running gateway over H.248, as an MGC would, through the call server's
 * {@link GatewayClient}: one transaction per call ({@code Context = $ { Add = $, Add = $ }}, SendReceive, Remote =
 * the generator's legs), up to {@code window} transactions outstanding; tears them down with Subtract *.
 */
public final class H248CallSetup implements CallSetup {
    private static final long WAIT_MS = 30_000;

    private final InetSocketAddress gateway;
    private final int window;
    private MegacoEndpoint endpoint;
    private GatewayClient client;
    private final List<ContextId> contexts = new ArrayList<>();
    private long setupMillis;

    public H248CallSetup(InetSocketAddress gateway, int window) {
        this.gateway = gateway;
        this.window = window;
    }

    @Override
    public List<CallLegs> setup(int calls, List<InetSocketAddress> legAddresses) throws Exception {
        endpoint = MegacoEndpoint.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            "[127.0.0.1]:0", MegacoOptions.defaults().withRetransmit(500, 5), null, null);
        client = new GatewayClient("load", gateway, endpoint, WAIT_MS);
        long start = System.nanoTime();
        Semaphore outstanding = new Semaphore(window);
        List<CompletableFuture<TransactionReply>> replies = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            outstanding.acquire();
            CompletableFuture<TransactionReply> reply = client.addAllAsync(ContextId.CHOOSE,
                List.of(legAddresses.get(2 * i), legAddresses.get(2 * i + 1)), LocalControlMode.SEND_RECEIVE);
            reply.whenComplete((r, e) -> outstanding.release());
            replies.add(reply);
        }
        List<CallLegs> legs = new ArrayList<>();
        for (CompletableFuture<TransactionReply> reply : replies) {
            List<GatewayClient.Added> added = client.added(reply, 2);
            contexts.add(added.get(0).context());
            legs.add(new CallLegs(added.get(0).local(), added.get(1).local()));
        }
        setupMillis = (System.nanoTime() - start) / 1_000_000;
        return legs;
    }

    /** How long {@link #setup} took, in milliseconds. */
    public long setupMillis() {
        return setupMillis;
    }

    @Override
    public void teardown() {
        if (endpoint == null) {
            return;
        }
        try {
            for (ContextId context : contexts) {
                client.release(context);
            }
        } finally {
            endpoint.close();
        }
    }
}
