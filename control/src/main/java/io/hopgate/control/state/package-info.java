/**
 * Call state in Redis, so calls survive a gateway or call server restart (docs/ha.md): the snapshot types a front
 * end records (independent of H.248, so the ng front end records the same ones), the ordered writer with its failure
 * policy and catch-up ({@code ReplicationWriter}, behind the gateway's {@link io.hopgate.control.state.StateRecorder}
 * and the call server's {@link io.hopgate.control.state.RecordReplicator}), and the Redis stores behind them (Lettuce,
 * one client set-up in {@code RedisStore}).
 *
 * <p>Threads: control threads call {@link io.hopgate.control.state.StateRecorder#record}; every Redis command runs
 * in order on the recorder's one writer thread, and a control thread waits for it at most {@code state.timeout-ms}.
 * The per-packet path never reaches this package.
 */
package io.hopgate.control.state;
