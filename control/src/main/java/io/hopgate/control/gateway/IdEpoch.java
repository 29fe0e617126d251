package io.hopgate.control.gateway;

import io.hopgate.control.state.CallStateStore;
import io.hopgate.control.state.StateStoreException;
import io.hopgate.media.MediaPlane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start epoch in the id space: each gateway run chooses its context ids and termination numbers from its own
 * block of {@link #BLOCK} ids, so after a crash a retransmitted or stale command from the run before (Modify of
 * context 1, Subtract of {@code rtp/1}) finds nothing instead of a new call (docs/ha.md, "Ids"). Restored contexts
 * keep their ids; new ids then start above the highest restored one when it lies above the block.
 *
 * <p>The block is the wall-clock second modulo {@link #EPOCHS}: two runs share one only when they start a multiple of
 * {@value #EPOCHS} s apart. With {@code state.redis} the previous run's epoch is read back and a clash avoided.
 */
final class IdEpoch {
    private static final Logger LOG = LoggerFactory.getLogger(IdEpoch.class);
    /** Ids per run; a run that creates more continues into the next block (ids stay below 2^30 + BLOCK). */
    static final int BLOCK = 1_000_000;
    static final int EPOCHS = 1000;

    private IdEpoch() {
    }

    /** The epoch of a run starting now, from the clock alone. */
    static int fromClock() {
        return (int) ((System.currentTimeMillis() / 1000) % EPOCHS);
    }

    /** The epoch of a run starting now, different from the one {@code store} kept for the previous run. */
    static int fromStore(CallStateStore store) {
        int epoch = fromClock();
        try {
            int previous = store.swapEpoch(epoch);
            if (previous == epoch) {
                epoch = (epoch + 1) % EPOCHS;
                store.swapEpoch(epoch);
            }
        } catch (StateStoreException e) {
            LOG.warn("id epoch not kept in state.redis (taken from the clock alone) cause={}", e.getMessage());
        }
        return epoch;
    }

    /** Makes {@code plane} choose its ids from {@code epoch}'s block; before anything is restored or created. */
    static void apply(MediaPlane plane, int epoch) {
        int first = epoch * BLOCK + 1;
        plane.firstIds(first, first);
        LOG.info("id epoch={} first-context={} first-termination=rtp/{}", epoch, first, first);
    }
}
