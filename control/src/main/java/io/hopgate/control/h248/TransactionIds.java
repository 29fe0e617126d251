package io.hopgate.control.h248;

/** Range check shared by the transaction records: TransactionID is a UINT32 (H.248.1 7.1.1). */
final class TransactionIds {
    static final long MAX = 0xFFFF_FFFFL;

    private TransactionIds() {
    }

    static void check(long id) {
        if (id < 0 || id > MAX) {
            throw new IllegalArgumentException("transaction id " + id + " out of range 0.." + MAX);
        }
    }
}
