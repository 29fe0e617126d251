package io.hopgate.control.gateway;

import io.hopgate.media.MediaPlane;
import io.hopgate.media.PacketTotals;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's metrics in a Prometheus registry: contexts, terminations, port pairs, packets in, out and dropped by
 * reason (read from the media plane when scraped, never counted per packet here), and H.248 commands by command and
 * result ({@code ok} or the error code).
 */
public final class GatewayMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Counter> commands = new ConcurrentHashMap<>();
    private final Counter refused;
    private final Counter malformed;
    private final Counter retransmissions;
    private final Counter queueOverflow;
    private final Counter replyEvictions;
    private final Counter repliesTooLarge;
    private final MediaPlane plane;
    /** One scrape reads a dozen packet meters; they share one walk over the terminations (at most every 100 ms). */
    private volatile PacketTotals totals = null;
    private volatile long totalsAtNanos;

    public GatewayMetrics(MediaPlane plane) {
        this.plane = plane;
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
        Gauge.builder("hopgate.contexts", plane, p -> p.contexts().size())
            .description("live contexts").register(registry);
        Gauge.builder("hopgate.terminations", plane, p -> p.terminations().size())
            .description("live terminations").register(registry);
        Gauge.builder("hopgate.port.pairs.in.use", plane, MediaPlane::portPairsInUse)
            .description("RTP/RTCP port pairs in use").register(registry);
        Gauge.builder("hopgate.port.pairs.capacity", plane, MediaPlane::portPairCapacity)
            .description("RTP/RTCP port pairs in the configured range").register(registry);
        // One meter per media counter, laid out by the media plane's descriptor (io.hopgate.media.Counter).
        for (io.hopgate.media.Counter c : io.hopgate.media.Counter.values()) {
            FunctionCounter.Builder<GatewayMetrics> b =
                FunctionCounter.builder(c.metric(), this, m -> m.totals().get(c)).description(c.help());
            if (c.tagKey() != null) {
                b = b.tag(c.tagKey(), c.tagValue());
            }
            b.register(registry);
        }
        refused = Counter.builder("hopgate.h248.refused").description("H.248 requests from peers not allowed")
            .register(registry);
        malformed = Counter.builder("hopgate.h248.malformed").description("H.248 messages that did not parse")
            .register(registry);
        retransmissions = Counter.builder("hopgate.h248.retransmissions")
            .description("retransmitted H.248 requests answered from the reply cache or with Pending")
            .register(registry);
        queueOverflow = Counter.builder("hopgate.h248.queue.overflow")
            .description("H.248 messages dropped because the control queue was full (the peer retransmits)")
            .register(registry);
        replyEvictions = Counter.builder("hopgate.h248.reply.cache.evictions")
            .description("cached H.248 replies evicted before their time for the cache's entry or byte bound")
            .register(registry);
        repliesTooLarge = Counter.builder("hopgate.h248.replies.too.large")
            .description("H.248 replies over control.max-message-bytes, answered with an error instead")
            .register(registry);
    }

    private PacketTotals totals() {
        long now = System.nanoTime();
        PacketTotals t = totals;
        if (t == null || now - totalsAtNanos > 100_000_000L) {
            t = plane.totals();
            totals = t;
            totalsAtNanos = now;
        }
        return t;
    }

    /** Counts one command (or topology change) with its result: 0 for success, else the H.248 error code. */
    void onCommand(String command, int errorCode) {
        String result = errorCode == 0 ? "ok" : Integer.toString(errorCode);
        commands.computeIfAbsent(command + '/' + result, k -> Counter.builder("hopgate.h248.commands")
            .description("H.248 commands executed, by command and result")
            .tag("command", command).tag("result", result)
            .register(registry)).increment();
    }

    void onRefused() {
        refused.increment();
    }

    void onMalformed() {
        malformed.increment();
    }

    void onRetransmission() {
        retransmissions.increment();
    }

    void onQueueOverflow() {
        queueOverflow.increment();
    }

    void onReplyEvicted() {
        replyEvictions.increment();
    }

    void onReplyTooLarge() {
        repliesTooLarge.increment();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public MeterRegistry meterRegistry() {
        return registry;
    }
}
