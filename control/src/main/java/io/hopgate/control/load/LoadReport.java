package io.hopgate.control.load;

import java.util.Locale;

/**
 * The outcome of a load run, over the measured window only (packets sent during warm-up are left out).
 *
 * @param calls              calls set up
 * @param streams            RTP streams ({@code 2 * calls})
 * @param pps                requested packets per second, all streams together
 * @param seconds            requested measured seconds
 * @param sent               packets handed to the kernel in the measured window
 * @param delivered          of those, packets that arrived at the peer leg (each counted once)
 * @param lost               {@code sent - delivered}, counted per stream by packet number
 * @param duplicates         arrivals of a packet number already seen (whole run)
 * @param misrouted          well-formed load packets that arrived at a leg other than the peer of their sender
 * @param invalid            datagrams that were not packets of this run (length, magic, run id, numbers)
 * @param sendErrors         sends the kernel refused (full socket buffer, I/O error); the packet was not counted
 * @param p50Nanos           median one-way latency (send to receive, same host clock)
 * @param p99Nanos           99th percentile latency
 * @param p999Nanos          99.9th percentile latency
 * @param maxNanos           highest latency
 * @param elapsedSeconds     measured sending time actually taken
 * @param processCpuPercent  CPU used by this JVM over the measured window, in percent of one core (100 = one core
 *                           busy); -1 when the JVM does not say
 * @param sendAllocBytesPerPacket    bytes the sender thread allocated per packet sent (whole run); -1 if unknown
 * @param receiveAllocBytesPerPacket bytes the receiver thread allocated per datagram received; -1 if unknown
 */
public record LoadReport(int calls, int streams, int pps, int seconds, long sent, long delivered, long lost,
                         long duplicates, long misrouted, long invalid, long sendErrors, long p50Nanos,
                         long p99Nanos, long p999Nanos, long maxNanos, double elapsedSeconds,
                         double processCpuPercent, double sendAllocBytesPerPacket,
                         double receiveAllocBytesPerPacket) {

    public double lossPercent() {
        return sent == 0 ? 0 : 100.0 * lost / sent;
    }

    /** Packets per second actually sent in the measured window. */
    public double sentPerSecond() {
        return elapsedSeconds > 0 ? sent / elapsedSeconds : 0;
    }

    /** One line of {@code key=value} pairs, latencies in microseconds. */
    public String toKeyValue() {
        return String.format(Locale.ROOT,
            "calls=%d streams=%d pps=%d seconds=%d sent=%d delivered=%d lost=%d loss=%.3f%% duplicates=%d "
                + "misrouted=%d invalid=%d send-errors=%d p50=%.1fus p99=%.1fus p999=%.1fus max=%.1fus "
                + "sent-pps=%.0f cpu=%.0f%% send-alloc=%.1fB/pkt recv-alloc=%.1fB/pkt",
            calls, streams, pps, seconds, sent, delivered, lost, lossPercent(), duplicates, misrouted, invalid,
            sendErrors, p50Nanos / 1e3, p99Nanos / 1e3, p999Nanos / 1e3, maxNanos / 1e3, sentPerSecond(),
            processCpuPercent, sendAllocBytesPerPacket, receiveAllocBytesPerPacket);
    }

    @Override
    public String toString() {
        return toKeyValue();
    }
}
