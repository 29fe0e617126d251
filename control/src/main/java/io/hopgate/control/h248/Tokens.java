package io.hopgate.control.h248;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The token table of RFC 3525 B.2 (with the H.248.1 v2/v3 additions): long form and short form.
 * Lookup is case-insensitive in both forms; the canonical spelling of a token is its long form as
 * written in the RFC.
 */
final class Tokens {
    private static final String[][] TABLE = {
        {"Add", "A"},
        {"Audit", "AT"},
        {"AuditCapability", "AC"},
        {"AuditValue", "AV"},
        {"Authentication", "AU"},
        {"Bothway", "BW"},
        {"Brief", "BR"},
        {"Buffer", "BF"},
        {"Context", "C"},
        {"ContextAudit", "CA"},
        {"ContextAttr", "CT"},
        {"DigitMap", "DM"},
        {"Discard", "DS"},
        {"Disconnected", "DC"},
        {"Delay", "DL"},
        {"Delete", "DE"},
        {"Duration", "DR"},
        {"Embed", "EM"},
        {"Emergency", "EG"},
        {"EmergencyOff", "EGO"},
        {"Error", "ER"},
        {"EventBuffer", "EB"},
        {"Events", "E"},
        {"Failover", "FL"},
        {"Forced", "FO"},
        {"Graceful", "GR"},
        {"HandOff", "HO"},
        {"IEPSCall", "IEPS"},
        {"ImmAckRequired", "IA"},
        {"Inactive", "IN"},
        {"Isolate", "IS"},
        {"InService", "IV"},
        {"IntByEvent", "IBE"},
        {"IntBySigDescr", "IBS"},
        {"KeepActive", "KA"},
        {"Local", "L"},
        {"LocalControl", "O"},
        {"LockStep", "SP"},
        {"Loopback", "LB"},
        {"Media", "M"},
        {"Method", "MT"},
        {"MgcIdToTry", "MG"},
        {"Mode", "MO"},
        {"Modify", "MF"},
        {"Modem", "MD"},
        {"Move", "MV"},
        {"Mux", "MX"},
        {"Notify", "N"},
        {"NotifyCompletion", "NC"},
        {"ObservedEvents", "OE"},
        {"Oneway", "OW"},
        {"OnewayExternal", "OWE"},
        {"OnewayBoth", "OWB"},
        {"OnOff", "OO"},
        {"OtherReason", "OR"},
        {"OutOfService", "OS"},
        {"Packages", "PG"},
        {"Pending", "PN"},
        {"Priority", "PR"},
        {"Profile", "PF"},
        {"Reason", "RE"},
        {"ReceiveOnly", "RC"},
        {"Reply", "P"},
        {"Restart", "RS"},
        {"Remote", "R"},
        {"ReservedGroup", "RG"},
        {"ReservedValue", "RV"},
        {"SendOnly", "SO"},
        {"SendReceive", "SR"},
        {"Services", "SV"},
        {"ServiceStates", "SI"},
        {"ServiceChange", "SC"},
        {"ServiceChangeAddress", "AD"},
        {"ServiceChangeInc", "SIC"},
        {"SignalList", "SL"},
        {"Signals", "SG"},
        {"SignalType", "SY"},
        {"Statistics", "SA"},
        {"Stream", "ST"},
        {"Subtract", "S"},
        {"SynchISDN", "SN"},
        {"TerminationState", "TS"},
        {"Test", "TE"},
        {"TimeOut", "TO"},
        {"Topology", "TP"},
        {"Transaction", "T"},
        {"TransactionResponseAck", "K"},
        {"Version", "V"},
        {"MessageSegment", "SM"},
        {"Direction", "DI"},
        {"Internal", "IT"},
        {"External", "EX"},
        {"Iteration", "IR"},
        {"RequestID", "RQ"},
        {"SegmentationComplete", "END"},
        {"Spadding", "SPA"},
    };

    private static final Map<String, String> CANONICAL = new HashMap<>();
    private static final Map<String, String> SHORT = new HashMap<>();
    private static final Map<String, String> LONG = new HashMap<>();

    static {
        for (String[] row : TABLE) {
            CANONICAL.put(row[0].toLowerCase(Locale.ROOT), row[0]);
            LONG.put(row[0].toLowerCase(Locale.ROOT), row[0]);
            SHORT.put(row[0], row[1]);
        }
        for (String[] row : TABLE) {
            // a short form never shadows a long form (none collide in the RFC table)
            CANONICAL.putIfAbsent(row[1].toLowerCase(Locale.ROOT), row[0]);
        }
    }

    private Tokens() {
    }

    /**
     * The long token {@code word} spells in any case, else {@code word} unchanged. Used inside
     * package-defined items, where short names ({@code ds}, {@code a}) are parameter names, not tokens.
     */
    static String longOrSelf(String word) {
        String c = word == null ? null : LONG.get(word.toLowerCase(Locale.ROOT));
        return c == null ? word : c;
    }

    /** Canonical long token for {@code word} written in any case, long or short; null when not a token. */
    static String canonical(String word) {
        return word == null ? null : CANONICAL.get(word.toLowerCase(Locale.ROOT));
    }

    /** The canonical token if {@code word} is one, else {@code word} unchanged. */
    static String canonicalOrSelf(String word) {
        String c = canonical(word);
        return c == null ? word : c;
    }

    /** Whether {@code word} is {@code token} (a canonical long token) in either form and any case. */
    static boolean is(String word, String token) {
        return token.equals(canonical(word));
    }

    /** How a canonical token is written: its short form when compact, else itself. Non-tokens unchanged. */
    static String write(String word, boolean compact) {
        if (!compact || word == null) {
            return word;
        }
        String s = SHORT.get(word);
        return s == null ? word : s;
    }
}
