package io.hopgate.control.load;

import io.hopgate.media.MediaPlaneConfig;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * An RTP generator and sink for load runs. Every call has two legs, each one {@link DatagramChannel} on 127.0.0.1;
 * leg A sends to the gateway's relay port for A, and what arrives on leg B's socket must be exactly A's packets (and
 * the other way round). Packets are 172-byte PCMU-sized RTP (see {@link LoadPacketDescriptor}); packet {@code k} of
 * the run goes out at {@code start + k / pps} on stream {@code k mod streams}, so the load is spread evenly and each
 * stream is phase-shifted from the previous one.
 *
 * <p>Every loop is bounded: the sender by its packet count and a deadline, the receiver by the sender's end plus
 * {@link LoadOptions#drainMs()}, the progress loop by both. Use {@link #run(LoadOptions, CallSetup)} from code, or
 * {@link #main(String[])} for an in-process run from the command line.
 */
public final class LoadGenerator {
    /** Latencies above this are recorded as this (the histograms have a fixed size and never resize). */
    static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int LATENCY_DIGITS = 3;
    /** The sender may fall this far behind its schedule before it stops sending (CPU starvation). */
    private static final long SEND_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Datagrams read from one socket per readiness, so one busy leg cannot starve the others. */
    private static final int READ_BURST = 64;
    private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final LoadOptions options;
    private final PrintStream progressOut;

    private LoadGenerator(LoadOptions options, PrintStream progressOut) {
        this.options = options;
        this.progressOut = progressOut;
    }

    /** Runs the load with calls created by {@code setup}; tears them down before returning. */
    public static LoadReport run(LoadOptions options, CallSetup setup) throws Exception {
        return new LoadGenerator(options, System.err).execute(setup);
    }

    private LoadReport execute(CallSetup setup) throws Exception {
        int streams = options.streams();
        List<DatagramChannel> channels = new ArrayList<>(streams);
        Selector selector = Selector.open();
        try {
            List<InetSocketAddress> local = openLegs(selector, channels);
            List<CallLegs> calls;
            try {
                calls = setup.setup(options.calls(), local);
                if (calls.size() != options.calls()) {
                    throw new IllegalStateException("call set-up returned " + calls.size() + " calls, expected "
                        + options.calls());
                }
                return drive(selector, channels, calls);
            } finally {
                setup.teardown();
            }
        } finally {
            for (DatagramChannel channel : channels) {
                channel.close();
            }
            selector.close();
        }
    }

    private List<InetSocketAddress> openLegs(Selector selector, List<DatagramChannel> channels) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        List<InetSocketAddress> local = new ArrayList<>(options.streams());
        for (int stream = 0; stream < options.streams(); stream++) {
            DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
            channels.add(channel);
            int port = options.basePort() == 0 ? 0 : options.basePort() + stream;
            try {
                channel.bind(new InetSocketAddress(loopback, port));
            } catch (IOException e) {
                throw new IOException("cannot bind load leg " + stream + " to " + loopback.getHostAddress() + ":"
                    + port + " (base-port=" + options.basePort() + "): " + e.getMessage(), e);
            }
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, new StreamSocket(stream, channel));
            local.add((InetSocketAddress) channel.getLocalAddress());
        }
        return local;
    }

    private LoadReport drive(Selector selector, List<DatagramChannel> channels, List<CallLegs> calls)
        throws InterruptedException {
        int streams = options.streams();
        InetSocketAddress[] relays = new InetSocketAddress[streams];
        for (int call = 0; call < calls.size(); call++) {
            relays[2 * call] = calls.get(call).relayA();
            relays[2 * call + 1] = calls.get(call).relayB();
        }
        long trafficStart = System.nanoTime() + START_DELAY_NANOS;
        long measureStart = trafficStart + TimeUnit.SECONDS.toNanos(options.warmupSeconds());
        long sendEnd = measureStart + TimeUnit.SECONDS.toNanos(options.seconds());
        int runId = new SplittableRandom().nextInt();
        long perStream = (options.totalPackets() + streams - 1) / streams;

        Sender sender = new Sender(options, channels.toArray(new DatagramChannel[0]), relays, runId, trafficStart,
            measureStart, sendEnd);
        Receiver receiver = new Receiver(selector, streams, perStream, runId, measureStart, options.drainMs(),
            sender);
        Thread sendThread = new Thread(sender, "hopgate-load-send");
        Thread receiveThread = new Thread(receiver, "hopgate-load-recv");
        sendThread.setDaemon(true);
        receiveThread.setDaemon(true);
        receiveThread.start();
        sendThread.start();

        long cpuStart = -1;
        long cpuStartWall = 0;
        long cpuEnd = -1;
        long cpuEndWall = 0;
        Histogram interval = null;
        long hardEnd = sendEnd + SEND_GRACE_NANOS + TimeUnit.MILLISECONDS.toNanos(options.drainMs())
            + TimeUnit.SECONDS.toNanos(2);
        for (int tick = 1; sendThread.isAlive() || receiveThread.isAlive(); tick++) {
            long next = trafficStart + TimeUnit.SECONDS.toNanos(tick);
            if (cpuStart < 0 && next > measureStart) {
                sleepUntil(measureStart, sendThread, receiveThread);
                cpuStart = processCpuNanos();
                cpuStartWall = System.nanoTime();
            }
            if (cpuEnd < 0 && next > sendEnd) {
                sleepUntil(sendEnd, sendThread, null);
                cpuEnd = processCpuNanos();
                cpuEndWall = System.nanoTime();
            }
            sleepUntil(next, sendThread, receiveThread);
            if (System.nanoTime() - hardEnd > 0) {
                sender.stop = true;
                receiver.stop = true;
            }
            interval = receiver.latencyRecorder.getIntervalHistogram(interval);
            if (options.progress() && (sendThread.isAlive() || tick <= options.warmupSeconds() + options.seconds())) {
                printProgress(tick, sender, receiver, interval);
            }
        }
        sendThread.join();
        receiveThread.join();
        if (sender.failure != null) {
            throw new IllegalStateException("load sender failed", sender.failure);
        }
        if (receiver.failure != null) {
            throw new IllegalStateException("load receiver failed", receiver.failure);
        }
        if (cpuEnd < 0) {
            // The loop ended (both threads done) before it passed sendEnd: use the sender's own end sample.
            cpuEnd = sender.doneCpuNanos;
            cpuEndWall = sender.doneNanos;
        }
        double cpuPercent = cpuStart < 0 || cpuEnd < 0 || cpuEndWall <= cpuStartWall ? -1
            : 100.0 * (cpuEnd - cpuStart) / (cpuEndWall - cpuStartWall);
        return report(sender, receiver, cpuPercent);
    }

    private void printProgress(int tick, Sender sender, Receiver receiver, Histogram interval) {
        long sent = sender.sentTotal.get();
        long delivered = receiver.deliveredTotal.get();
        double loss = sent == 0 ? 0 : 100.0 * Math.max(0, sent - delivered) / sent;
        progressOut.printf(Locale.ROOT, "t=%ds%s sent=%d delivered=%d loss=%.2f%% p50=%.1fus p99=%.1fus"
                + " misrouted=%d dup=%d%n", tick, tick <= options.warmupSeconds() ? " (warmup)" : "", sent,
            delivered, loss, interval.getValueAtPercentile(50) / 1e3, interval.getValueAtPercentile(99) / 1e3,
            receiver.misroutedTotal.get(), receiver.duplicatesTotal.get());
    }

    private LoadReport report(Sender sender, Receiver receiver, double cpuPercent) {
        long sent = 0;
        long delivered = 0;
        for (int stream = 0; stream < options.streams(); stream++) {
            long first = sender.firstMeasured[stream];
            long end = sender.numbers[stream];
            sent += end - first;
            long[] seen = receiver.seen[stream];
            for (long number = first; number < end; number++) {
                if ((seen[(int) (number >>> 6)] & (1L << number)) != 0) {
                    delivered++;
                }
            }
        }
        Histogram latency = receiver.latency;
        double elapsed = sender.measuredEndNanos > sender.measuredStartNanos
            ? (sender.measuredEndNanos - sender.measuredStartNanos) / 1e9 : 0;
        return new LoadReport(options.calls(), options.streams(), options.pps(), options.seconds(), sent, delivered,
            sent - delivered, receiver.duplicatesTotal.get(), receiver.misroutedTotal.get(),
            receiver.invalidTotal.get(), sender.sendErrors, latency.getValueAtPercentile(50),
            latency.getValueAtPercentile(99), latency.getValueAtPercentile(99.9), latency.getMaxValue(), elapsed,
            cpuPercent, perPacket(sender.allocatedBytes, sender.sentTotal.get()),
            perPacket(receiver.allocatedBytes, receiver.received));
    }

    private static double perPacket(long bytes, long packets) {
        return bytes < 0 || packets == 0 ? -1 : (double) bytes / packets;
    }

    /** Sleeps until {@code deadline} or until both threads ended. */
    private static void sleepUntil(long deadline, Thread a, Thread b) throws InterruptedException {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || (!a.isAlive() && (b == null || !b.isAlive()))) {
                return;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        }
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** Bytes the calling thread allocated so far, or -1 when the JVM does not count them. */
    static long threadAllocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
            && threads.isThreadAllocatedMemoryEnabled()) {
            return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return -1;
    }

    /** The socket of one stream and its index; the selection key's attachment. */
    private record StreamSocket(int stream, DatagramChannel channel) {
    }

    /**
     * Sends every packet of the run on schedule. Owns the payload buffer and the per-stream RTP state; publishes its
     * totals with release stores for the progress line and everything else through {@link Thread#join()}.
     */
    private static final class Sender implements Runnable {
        final AtomicLong sentTotal = new AtomicLong();
        /** Next packet number per stream = packets of that stream sent so far. */
        final long[] numbers;
        /** First packet number per stream sent at or after the measurement start. */
        final long[] firstMeasured;
        long sendErrors;
        long measuredStartNanos;
        long measuredEndNanos;
        long allocatedBytes = -1;
        volatile boolean stop;
        /** Set (release) once every send is done; the receiver then drains and stops. */
        volatile long doneNanos;
        /** Process CPU time when the last send was done, so the summary has a CPU figure however the run ends. */
        volatile long doneCpuNanos = -1;
        volatile boolean done;
        Throwable failure;

        private final LoadOptions options;
        private final DatagramChannel[] channels;
        private final InetSocketAddress[] relays;
        private final int runId;
        private final long trafficStart;
        private final long measureStart;
        private final long sendEnd;
        private final int[] ssrcs;
        private final ByteBuffer packet = ByteBuffer.allocateDirect(LoadPacketDescriptor.LENGTH);

        Sender(LoadOptions options, DatagramChannel[] channels, InetSocketAddress[] relays, int runId,
               long trafficStart, long measureStart, long sendEnd) {
            this.options = options;
            this.channels = channels;
            this.relays = relays;
            this.runId = runId;
            this.trafficStart = trafficStart;
            this.measureStart = measureStart;
            this.sendEnd = sendEnd;
            int streams = channels.length;
            numbers = new long[streams];
            firstMeasured = new long[streams];
            java.util.Arrays.fill(firstMeasured, -1);
            ssrcs = new int[streams];
            SplittableRandom random = new SplittableRandom(runId);
            for (int i = 0; i < streams; i++) {
                ssrcs[i] = random.nextInt();
            }
            packet.put(0, LoadPacketDescriptor.FIRST_BYTE);
            packet.put(1, LoadPacketDescriptor.PAYLOAD_TYPE);
            packet.putInt(LoadPacketDescriptor.MAGIC_OFFSET, LoadPacketDescriptor.MAGIC);
            packet.putInt(LoadPacketDescriptor.RUN_OFFSET, runId);
            for (int i = LoadPacketDescriptor.FILLER_OFFSET; i < LoadPacketDescriptor.LENGTH; i++) {
                packet.put(i, (byte) 0xFF);
            }
        }

        @Override
        public void run() {
            long allocatedAtStart = threadAllocatedBytes();
            try {
                send();
            } catch (Throwable t) {
                failure = t;
            } finally {
                for (int i = 0; i < numbers.length; i++) {
                    if (firstMeasured[i] < 0) {
                        firstMeasured[i] = numbers[i]; // nothing measured on this stream
                    }
                }
                long allocatedAtEnd = threadAllocatedBytes();
                allocatedBytes = allocatedAtStart < 0 ? -1 : allocatedAtEnd - allocatedAtStart;
                doneCpuNanos = processCpuNanos();
                doneNanos = System.nanoTime();
                done = true;
            }
        }

        private void send() {
            int streams = channels.length;
            long total = options.totalPackets();
            long pps = options.pps();
            long sent = 0;
            boolean measuring = false;
            for (long k = 0; k < total && !stop; k++) {
                long due = trafficStart + k * 1_000_000_000L / pps;
                long now = System.nanoTime();
                // parkNanos oversleeps by tens of microseconds; the packets that came due meanwhile go out
                // back to back with their own send times, so latency is unaffected by the burst.
                while (due - now > 0 && !stop) {
                    LockSupport.parkNanos(due - now);
                    now = System.nanoTime();
                }
                if (now - due > SEND_GRACE_NANOS || now - (sendEnd + SEND_GRACE_NANOS) > 0) {
                    break; // starved: give up rather than run on past the deadline
                }
                int stream = (int) (k % streams);
                if (!measuring && now - measureStart >= 0) {
                    measuring = true;
                    measuredStartNanos = now;
                }
                if (measuring && firstMeasured[stream] < 0) {
                    firstMeasured[stream] = numbers[stream];
                }
                if (sendOne(stream, now)) {
                    sentTotal.setRelease(++sent);
                    measuredEndNanos = now;
                }
            }
            if (!measuring) {
                measuredStartNanos = measuredEndNanos = 0;
            }
        }

        private boolean sendOne(int stream, long now) {
            long number = numbers[stream];
            ByteBuffer p = packet;
            p.putShort(LoadPacketDescriptor.SEQUENCE_OFFSET, (short) number);
            p.putInt(LoadPacketDescriptor.TIMESTAMP_OFFSET, (int) (number * LoadPacketDescriptor.TIMESTAMP_STEP));
            p.putInt(LoadPacketDescriptor.SSRC_OFFSET, ssrcs[stream]);
            p.putInt(LoadPacketDescriptor.STREAM_OFFSET, stream);
            p.putInt(LoadPacketDescriptor.NUMBER_OFFSET, (int) number);
            p.putLong(LoadPacketDescriptor.SEND_NANOS_OFFSET, now);
            p.clear();
            try {
                if (channels[stream].send(p, relays[stream]) == 0) {
                    sendErrors++; // socket buffer full: the number is reused by the next packet of this stream
                    return false;
                }
            } catch (IOException e) {
                sendErrors++;
                return false;
            }
            numbers[stream] = number + 1;
            return true;
        }
    }

    /**
     * Reads every leg through one selector into one direct buffer, checks each datagram, marks it in its stream's
     * bitmap and records its latency. Stops when everything sent has arrived or {@code drainMs} after the sender.
     */
    private static final class Receiver implements Runnable {
        final AtomicLong deliveredTotal = new AtomicLong();
        final AtomicLong duplicatesTotal = new AtomicLong();
        final AtomicLong misroutedTotal = new AtomicLong();
        final AtomicLong invalidTotal = new AtomicLong();
        /** Per interval, for the progress line: written here, swapped out by the progress thread. */
        final Recorder latencyRecorder = new Recorder(MAX_LATENCY_NANOS, LATENCY_DIGITS);
        /** The measured window only; read after join. */
        final Histogram latency = new Histogram(MAX_LATENCY_NANOS, LATENCY_DIGITS);
        /** Arrival bitmap per sending stream, bit = packet number. */
        final long[][] seen;
        long received;
        long allocatedBytes = -1;
        volatile boolean stop;
        Throwable failure;

        private final Selector selector;
        private final int runId;
        private final long measureStart;
        private final long drainNanos;
        private final Sender sender;
        private final long capacity;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
        private final Consumer<SelectionKey> onReady = this::onReady;
        private long delivered;
        private long duplicates;
        private long misrouted;
        private long invalid;

        Receiver(Selector selector, int streams, long perStream, int runId, long measureStart, int drainMs,
                 Sender sender) {
            this.selector = selector;
            this.runId = runId;
            this.measureStart = measureStart;
            this.drainNanos = TimeUnit.MILLISECONDS.toNanos(drainMs);
            this.sender = sender;
            this.capacity = perStream;
            if (perStream > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("packets per stream " + perStream + " exceed "
                    + Integer.MAX_VALUE);
            }
            seen = new long[streams][(int) ((perStream + 63) >>> 6)];
        }

        @Override
        public void run() {
            long allocatedAtStart = threadAllocatedBytes();
            try {
                while (!stop) {
                    selector.select(onReady, 10);
                    if (sender.done) {
                        if (delivered >= sender.sentTotal.get()
                            || System.nanoTime() - sender.doneNanos > drainNanos) {
                            break;
                        }
                    }
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                long allocatedAtEnd = threadAllocatedBytes();
                allocatedBytes = allocatedAtStart < 0 ? -1 : allocatedAtEnd - allocatedAtStart;
            }
        }

        private void onReady(SelectionKey key) {
            StreamSocket leg = (StreamSocket) key.attachment();
            ByteBuffer b = buffer;
            try {
                for (int i = 0; i < READ_BURST; i++) {
                    b.clear();
                    if (leg.channel().receive(b) == null) {
                        return;
                    }
                    onDatagram(leg.stream(), b.position(), System.nanoTime());
                }
            } catch (IOException e) {
                // e.g. ICMP port unreachable surfaced on this socket; counted, never fatal
                invalidTotal.setRelease(++invalid);
            }
        }

        private void onDatagram(int atStream, int length, long now) {
            received++;
            ByteBuffer b = buffer;
            if (length != LoadPacketDescriptor.LENGTH || b.getInt(LoadPacketDescriptor.MAGIC_OFFSET)
                != LoadPacketDescriptor.MAGIC || b.getInt(LoadPacketDescriptor.RUN_OFFSET) != runId) {
                invalidTotal.setRelease(++invalid);
                return;
            }
            int stream = b.getInt(LoadPacketDescriptor.STREAM_OFFSET);
            long number = b.getInt(LoadPacketDescriptor.NUMBER_OFFSET) & 0xFFFF_FFFFL;
            if (stream < 0 || stream >= seen.length || number >= capacity) {
                invalidTotal.setRelease(++invalid);
                return;
            }
            if (stream != (atStream ^ 1)) {
                misroutedTotal.setRelease(++misrouted); // legs 2i and 2i+1 are each other's peers
                return;
            }
            long[] bits = seen[stream];
            int word = (int) (number >>> 6);
            long mask = 1L << number;
            if ((bits[word] & mask) != 0) {
                duplicatesTotal.setRelease(++duplicates);
                return;
            }
            bits[word] |= mask;
            deliveredTotal.setRelease(++delivered);
            long latencyNanos = Math.min(Math.max(now - b.getLong(LoadPacketDescriptor.SEND_NANOS_OFFSET), 0),
                MAX_LATENCY_NANOS);
            latencyRecorder.recordValue(latencyNanos);
            if (b.getLong(LoadPacketDescriptor.SEND_NANOS_OFFSET) - measureStart >= 0) {
                latency.recordValue(latencyNanos);
            }
        }
    }

    /**
     * In-process run from the command line: {@code --calls N --pps R --seconds S [--warmup W] [--base-port P]
     * [--drain-ms D] [--media-ports MIN-MAX] [--io-threads T] [--quiet]}. Prints the progress lines to stderr and
     * the summary line to stdout; exits 1 when a packet was misrouted.
     */
    public static void main(String[] args) throws Exception {
        int calls = 10;
        int pps = 1000;
        int seconds = 10;
        int warmup = 2;
        int basePort = 0;
        int drainMs = LoadOptions.DEFAULT_DRAIN_MS;
        int portMin = 20_000;
        int portMax = 23_999;
        int ioThreads = 1;
        boolean progress = true;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--quiet")) {
                progress = false;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + flag + " needs a value");
            }
            String value = args[++i];
            switch (flag) {
                case "--calls" -> calls = Integer.parseInt(value);
                case "--pps" -> pps = Integer.parseInt(value);
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                case "--base-port" -> basePort = Integer.parseInt(value);
                case "--drain-ms" -> drainMs = Integer.parseInt(value);
                case "--io-threads" -> ioThreads = Integer.parseInt(value);
                case "--media-ports" -> {
                    int dash = value.indexOf('-');
                    if (dash < 0) {
                        throw new IllegalArgumentException("--media-ports " + value + ": expected MIN-MAX");
                    }
                    portMin = Integer.parseInt(value.substring(0, dash));
                    portMax = Integer.parseInt(value.substring(dash + 1));
                }
                default -> throw new IllegalArgumentException("unknown option " + flag + " (known: --calls --pps "
                    + "--seconds --warmup --base-port --drain-ms --media-ports --io-threads --quiet)");
            }
        }
        LoadOptions options = new LoadOptions(calls, pps, seconds, warmup, basePort, drainMs, progress);
        MediaPlaneConfig config = MediaPlaneConfig.loopback(portMin, portMax).withIoThreads(ioThreads)
            .withMaxContexts(Math.max(calls, 10_000));
        LoadReport report = run(options, InProcessCallSetup.start(config));
        System.out.println(report.toKeyValue());
        System.exit(report.misrouted() > 0 ? 1 : 0);
    }
}
