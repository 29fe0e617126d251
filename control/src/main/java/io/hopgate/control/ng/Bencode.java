package io.hopgate.control.ng;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bencode (the ng protocol's dictionary encoding) over byte strings: {@code 4:spam}, {@code i42e}, {@code l...e},
 * {@code d...e}. Strict and bounded: the decoder accepts exactly one value filling the input, integers without
 * leading zeros or {@code -0} and at most 18 digits, string lengths that fit the input, nesting up to
 * {@link #MAX_DEPTH}, at most {@link #MAX_ITEMS} values in all, and dictionaries without duplicate keys. Key order is
 * not enforced: rtpengine documents that neither it nor its clients keep bencode's lexicographic order. Dictionaries
 * keep arrival order; the encoder writes them in that order.
 *
 * <p>Stateless; safe from any thread. Every malformed input ends in a {@link BencodeException} naming the offset.
 */
public final class Bencode {
    public static final int MAX_DEPTH = 32;
    public static final int MAX_ITEMS = 65_536;

    private Bencode() {
    }

    /** A bencode value. */
    public sealed interface Value permits Bytes, Int, BList, Dict {
    }

    /** A byte string; not a Java string, since SDP and tags are bytes on the wire. */
    public record Bytes(byte[] bytes) implements Value {
        public static Bytes of(String text) {
            return new Bytes(text.getBytes(StandardCharsets.UTF_8));
        }

        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "\"" + text() + "\"";
        }
    }

    public record Int(long value) implements Value {
        @Override
        public String toString() {
            return Long.toString(value);
        }
    }

    public record BList(List<Value> items) implements Value {
        public BList {
            items = Collections.unmodifiableList(new ArrayList<>(items));
        }

        @Override
        public String toString() {
            return items.toString();
        }
    }

    /** A dictionary in arrival (or insertion) order. */
    public record Dict(Map<Bytes, Value> entries) implements Value {
        public Dict {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        public Value get(String key) {
            return entries.get(Bytes.of(key));
        }

        @Override
        public String toString() {
            return entries.toString();
        }
    }

    /** Builds a dictionary in insertion order; values may be String, Long/Integer, List, Map, Value, byte[]. */
    public static final class DictBuilder {
        private final LinkedHashMap<Bytes, Value> entries = new LinkedHashMap<>();

        public DictBuilder put(String key, Object value) {
            entries.put(Bytes.of(key), value(value));
            return this;
        }

        public Dict build() {
            return new Dict(entries);
        }
    }

    public static DictBuilder dict() {
        return new DictBuilder();
    }

    /** Converts plain Java values (String, Number, byte[], List, Map with String keys, Value) to bencode. */
    public static Value value(Object v) {
        if (v instanceof Value value) {
            return value;
        }
        if (v instanceof String s) {
            return Bytes.of(s);
        }
        if (v instanceof byte[] b) {
            return new Bytes(b.clone());
        }
        if (v instanceof Number n) {
            return new Int(n.longValue());
        }
        if (v instanceof List<?> list) {
            List<Value> items = new ArrayList<>(list.size());
            for (Object o : list) {
                items.add(value(o));
            }
            return new BList(items);
        }
        if (v instanceof Map<?, ?> map) {
            LinkedHashMap<Bytes, Value> entries = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                entries.put(Bytes.of(String.valueOf(e.getKey())), value(e.getValue()));
            }
            return new Dict(entries);
        }
        throw new IllegalArgumentException("no bencode form for " + (v == null ? "null" : v.getClass().getName()));
    }

    public static byte[] encode(Value value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        encode(value, out);
        return out.toByteArray();
    }

    public static void encode(Value value, ByteArrayOutputStream out) {
        if (value instanceof Bytes b) {
            ascii(out, Integer.toString(b.bytes().length));
            out.write(':');
            out.writeBytes(b.bytes());
        } else if (value instanceof Int i) {
            out.write('i');
            ascii(out, Long.toString(i.value()));
            out.write('e');
        } else if (value instanceof BList l) {
            out.write('l');
            for (Value item : l.items()) {
                encode(item, out);
            }
            out.write('e');
        } else {
            out.write('d');
            for (Map.Entry<Bytes, Value> e : ((Dict) value).entries().entrySet()) {
                encode(e.getKey(), out);
                encode(e.getValue(), out);
            }
            out.write('e');
        }
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        for (int i = 0; i < s.length(); i++) {
            out.write(s.charAt(i));
        }
    }

    /** Decodes exactly one value that fills {@code bytes[offset, offset + length)}. */
    public static Value decode(byte[] bytes, int offset, int length) throws BencodeException {
        if (offset < 0 || length < 0 || offset + length > bytes.length || offset + length < 0) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside " + bytes.length);
        }
        Decoder d = new Decoder(bytes, offset, offset + length);
        Value v = d.value(0);
        if (d.pos != d.end) {
            throw new BencodeException(d.pos - offset, (d.end - d.pos) + " bytes left after the value");
        }
        return v;
    }

    public static Value decode(byte[] bytes) throws BencodeException {
        return decode(bytes, 0, bytes.length);
    }

    /** Malformed bencode: the offset (from the start of the bencoded part) and what was wrong there. */
    public static final class BencodeException extends Exception {
        private final int offset;

        BencodeException(int offset, String reason) {
            super("malformed bencode at byte " + offset + ": " + reason);
            this.offset = offset;
        }

        public int offset() {
            return offset;
        }
    }

    private static final class Decoder {
        private final byte[] b;
        private final int start;
        private final int end;
        private int pos;
        private int items;

        Decoder(byte[] b, int start, int end) {
            this.b = b;
            this.start = start;
            this.end = end;
            this.pos = start;
        }

        private BencodeException error(String reason) {
            return new BencodeException(pos - start, reason);
        }

        Value value(int depth) throws BencodeException {
            if (pos >= end) {
                throw error("truncated: a value was expected");
            }
            if (++items > MAX_ITEMS) {
                throw error("more than " + MAX_ITEMS + " values");
            }
            byte c = b[pos];
            if (c == 'i') {
                pos++;
                long v = integer('e');
                return new Int(v);
            }
            if (c == 'l' || c == 'd') {
                if (depth >= MAX_DEPTH) {
                    throw error("nesting deeper than " + MAX_DEPTH);
                }
                pos++;
                return c == 'l' ? list(depth + 1) : dict(depth + 1);
            }
            if (c >= '0' && c <= '9') {
                return bytes();
            }
            throw error("unexpected byte 0x" + Integer.toHexString(c & 0xFF) + ", expected i, l, d or a length");
        }

        private BList list(int depth) throws BencodeException {
            List<Value> items = new ArrayList<>();
            while (true) {
                if (pos >= end) {
                    throw error("truncated list: no closing 'e'");
                }
                if (b[pos] == 'e') {
                    pos++;
                    return new BList(items);
                }
                items.add(value(depth));
            }
        }

        private Dict dict(int depth) throws BencodeException {
            LinkedHashMap<Bytes, Value> entries = new LinkedHashMap<>();
            while (true) {
                if (pos >= end) {
                    throw error("truncated dictionary: no closing 'e'");
                }
                if (b[pos] == 'e') {
                    pos++;
                    return new Dict(entries);
                }
                if (b[pos] < '0' || b[pos] > '9') {
                    throw error("dictionary key must be a byte string");
                }
                int keyAt = pos;
                Bytes key = bytes();
                if (entries.containsKey(key)) {
                    pos = keyAt;
                    throw error("duplicate dictionary key " + key);
                }
                entries.put(key, value(depth));
            }
        }

        private Bytes bytes() throws BencodeException {
            int lengthAt = pos;
            long length = integer(':');
            if (length < 0) {
                pos = lengthAt;
                throw error("negative string length " + length);
            }
            if (length > end - pos) {
                int left = end - pos;
                pos = lengthAt;
                throw error("string length " + length + " exceeds the " + left + " bytes left");
            }
            byte[] out = Arrays.copyOfRange(b, pos, pos + (int) length);
            pos += (int) length;
            return new Bytes(out);
        }

        /** Reads a decimal integer up to {@code terminator}; no leading zeros, no -0, at most 18 digits. */
        private long integer(char terminator) throws BencodeException {
            int from = pos;
            boolean negative = false;
            if (pos < end && b[pos] == '-' && terminator == 'e') {
                negative = true;
                pos++;
            }
            int digitsFrom = pos;
            long v = 0;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                if (pos - digitsFrom >= 18) {
                    throw error("integer longer than 18 digits");
                }
                v = v * 10 + (b[pos] - '0');
                pos++;
            }
            int digits = pos - digitsFrom;
            if (pos >= end) {
                throw error("truncated integer: no '" + terminator + "'");
            }
            if (b[pos] != terminator) {
                throw error("unexpected byte 0x" + Integer.toHexString(b[pos] & 0xFF) + " in integer, expected '"
                    + terminator + "'");
            }
            if (digits == 0) {
                throw error("integer without digits");
            }
            if (digits > 1 && b[digitsFrom] == '0') {
                pos = from;
                throw error("integer with a leading zero");
            }
            if (negative && v == 0) {
                pos = from;
                throw error("integer -0");
            }
            pos++;
            return negative ? -v : v;
        }
    }
}
