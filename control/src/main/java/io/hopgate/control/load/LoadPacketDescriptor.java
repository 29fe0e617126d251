package io.hopgate.control.load;

/**
 * Layout of a load packet: a 12-byte RTP header (V=2, PT 0, no CSRC or extension) and a 160-byte PCMU-sized
 * payload whose first bytes carry what the receiver checks. Network byte order.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|0|0|   0   |0|    PT=0     |  sequence number (+1/packet)  |  0
 * |                 timestamp (+160 per packet)                   |  4
 * |                     SSRC (one per leg)                        |  8
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |                        magic 'HGLD'                           | 12
 * |                 run id (random per run)                       | 16
 * |           stream index (2 * call + 0 for A, + 1 for B)        | 20
 * |             packet number within the stream, from 0           | 24
 * |                                                               | 28
 * +          send time, System.nanoTime() of the sender           +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |              0xFF (mu-law silence) up to byte 171             | 36
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
final class LoadPacketDescriptor {
    static final int LENGTH = 172;
    static final int HEADER_LENGTH = 12;
    static final int SEQUENCE_OFFSET = 2;
    static final int TIMESTAMP_OFFSET = 4;
    static final int SSRC_OFFSET = 8;
    static final int MAGIC_OFFSET = 12;
    static final int RUN_OFFSET = 16;
    static final int STREAM_OFFSET = 20;
    static final int NUMBER_OFFSET = 24;
    static final int SEND_NANOS_OFFSET = 28;
    static final int FILLER_OFFSET = 36;

    static final int MAGIC = 0x48474C44; // "HGLD"
    static final int TIMESTAMP_STEP = 160;
    static final byte FIRST_BYTE = (byte) 0x80;
    static final byte PAYLOAD_TYPE = 0;

    private LoadPacketDescriptor() {
    }
}
