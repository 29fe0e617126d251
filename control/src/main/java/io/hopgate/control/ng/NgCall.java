package io.hopgate.control.ng;

import io.hopgate.media.MediaContext;
import io.hopgate.media.Termination;
import io.hopgate.rtp.sdp.SessionDescription;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * One ng call: a media-plane context holding, for each of the two parties (SIP From and To tags), one termination
 * per SDP media section. Party 0 sent the first offer. A party's termination faces that party: its remote is the
 * party's signalled address, and its local port is what the <em>other</em> party's SDP names as the place to send.
 *
 * <p>Threads: owned by the ng command thread.
 */
final class NgCall {
    /** One side of the call. */
    static final class Party {
        String tag;
        final long createdMs;
        final List<Termination> terminations = new ArrayList<>();
        /** What this party last signalled, per media section; null before its first SDP. */
        List<NgSdp.Media> media;
        SessionDescription sdp;
        /** The options {@link #sdp} was read with; the ones that change the reading are kept (docs/ha.md). */
        NgSdp.Options options;

        Party(String tag, long createdMs) {
            this.tag = tag;
            this.createdMs = createdMs;
        }
    }

    final String callId;
    final MediaContext context;
    final long createdMs;
    long lastSignalMs;
    final Party[] parties = new Party[2];
    /** Index of the party that sent the latest offer; the answer belongs to the other one. */
    int lastOfferer;
    /** Set while a delete waits for its delete-delay; the call is then hidden from list and statistics. */
    ScheduledFuture<?> pendingDelete;
    /** Wall-clock time (epoch ms) that pending delete is due, 0 without one; kept in the call state (docs/ha.md). */
    long deleteAtMs;

    NgCall(String callId, MediaContext context, long nowMs) {
        this.callId = callId;
        this.context = context;
        this.createdMs = nowMs;
        this.lastSignalMs = nowMs;
    }

    int mediaCount() {
        return parties[0].terminations.size();
    }

    /** The index of the party with this tag, or -1. */
    int partyWithTag(String tag) {
        for (int i = 0; i < 2; i++) {
            if (tag != null && tag.equals(parties[i].tag)) {
                return i;
            }
        }
        return -1;
    }
}
