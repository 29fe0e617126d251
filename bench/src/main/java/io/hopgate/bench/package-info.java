/**
 * JMH benchmarks of the per-packet path (classify, gate, rewrite, hand to a send batch) and of mode/topology flips
 * under traffic, and the clock read they leave out. The RTP load tool lives in {@code io.hopgate.control.load} and is
 * run from this module's shaded jar (see bench/README.md).
 *
 * <p>Threads: every benchmark state is owned by the JMH thread that uses it ({@code Scope.Thread}), except
 * {@link io.hopgate.bench.FlipBenchmark}'s group state, shared by exactly one routing thread (which owns the
 * forwarding state, as an I/O loop does) and one control thread that only calls the public command API.
 */
package io.hopgate.bench;
