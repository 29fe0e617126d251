package io.hopgate.control.sip;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.ListeningPoint;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;

/**
 * Builds and starts the JAIN-SIP stack (the NIST reference implementation) on one UDP listening point, with its
 * logging routed to SLF4J ({@link SipStackLoggers}). Everything JAIN-SIP needs to be told lives here; what the
 * server does with the stack lives in {@link SipEndpoint}, {@link Registrar} and {@link B2bua}.
 */
final class SipStackSetup {
    private static final AtomicInteger STACKS = new AtomicInteger();

    private SipStackSetup() {
    }

    /**
     * Binds SIP/UDP on {@code listen} (port 0 picks a free port) and adds {@code listener}; the caller starts the
     * stack ({@code endpoint.stack.start()}) once the listener is ready for events.
     *
     * @throws IllegalStateException naming {@code callserver.sip.listen} when the address cannot be bound
     */
    static SipEndpoint bind(InetSocketAddress listen, SipListener listener) throws Exception {
        SipStackLoggers.install();
        String host = listen.getAddress() == null ? "127.0.0.1" : listen.getAddress().getHostAddress();
        int port = listen.getPort() == 0 ? freeUdpPort(host) : listen.getPort();
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "hopgate-sip-" + STACKS.incrementAndGet());
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "on");
        p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
        SipStackLoggers.configure(p);
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        SipStack stack = factory.createSipStack(p);
        try {
            ListeningPoint lp;
            try {
                lp = stack.createListeningPoint(host, port, ListeningPoint.UDP);
            } catch (Exception e) {
                throw new IllegalStateException("cannot bind callserver.sip.listen " + host + ":" + port + ": "
                    + e.getMessage(), e);
            }
            SipProvider provider = stack.createSipProvider(lp);
            SipEndpoint endpoint = new SipEndpoint(stack, provider, factory, new InetSocketAddress(host, port));
            provider.addSipListener(listener);
            return endpoint;
        } catch (Exception e) {
            stack.stop();
            throw e;
        }
    }

    /*
     * JAIN-SIP's UDP listening point keeps the port it was asked for, so port 0 cannot be reported back; take a
     * free one from the kernel first. The window between close and re-bind is a test-only concern.
     */
    private static int freeUdpPort(String host) throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(host, 0))) {
            return s.getLocalPort();
        }
    }
}
