package io.hopgate.control.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

import java.nio.charset.StandardCharsets;

/**
 * The wire format: frames on one TCP connection, all integers big-endian.
 * <pre>
 * frame    = length:u32 (bytes after this field, 1..limit)  type:u8  body
 * OPEN     0x01  version:u8=1  fromLength:u8  from:utf8  toLength:u8  to:utf8      opener -> listener
 * OPENED   0x02  sessionId:u64  token:16 bytes                                      listener -> opener
 * RESUME   0x03  version:u8=1  sessionId:u64  token:16 bytes  lastReceived:u64      opener -> listener
 * RESUMED  0x04  lastReceived:u64                                                   listener -> opener
 * DATA     0x10  seq:u64  payload                         either way, seq = 1, 2, 3... per direction
 * ACK      0x11  lastReceived:u64                         either way, cumulative
 * CLOSE    0x12  (empty)                                  either way: the session ends
 * ERROR    0x7F  code:u8  reason:utf8 (at most 255 bytes) either way, then the sender closes
 * </pre>
 * The session id names the session in logs and lookups; the token is the secret that proves the resumer is
 * the party that opened it. {@code lastReceived} is the highest sequence number delivered to the application.
 * Encoders allocate from the channel's allocator; {@link #check} validates a whole frame (after the length field)
 * so that readers after it need no bounds checks.
 */
final class Frames {
    static final int LENGTH_FIELD_LENGTH = 4;
    static final int VERSION = 1;
    static final int TOKEN_LENGTH = 16;
    static final int MAX_NAME_BYTES = 255;
    static final int MAX_REASON_BYTES = 255;
    static final int DATA_HEADER_LENGTH = 1 + 8;
    static final int MIN_FRAME_LIMIT = 1 + 1 + 2 * (1 + MAX_NAME_BYTES);

    static final byte OPEN = 0x01;
    static final byte OPENED = 0x02;
    static final byte RESUME = 0x03;
    static final byte RESUMED = 0x04;
    static final byte DATA = 0x10;
    static final byte ACK = 0x11;
    static final byte CLOSE = 0x12;
    static final byte ERROR = 0x7F;

    /** ERROR codes. */
    static final int E_PROTOCOL = 1;
    static final int E_NO_SUCH_NAME = 2;
    static final int E_UNKNOWN_SESSION = 3;
    static final int E_BAD_TOKEN = 4;
    static final int E_BUSY = 5;
    static final int E_NOT_ACCEPTED = 6;

    private Frames() {
    }

    /** A fresh decoder per connection (it is stateful); a frame over the limit fails fast. */
    static LengthFieldBasedFrameDecoder decoder(int maxFrameBytes) {
        return new LengthFieldBasedFrameDecoder(LENGTH_FIELD_LENGTH + maxFrameBytes, 0, LENGTH_FIELD_LENGTH, 0,
                LENGTH_FIELD_LENGTH, true);
    }

    static ByteBuf open(ByteBufAllocator alloc, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        ByteBuf b = start(alloc, 1 + 1 + 1 + f.length + 1 + t.length, OPEN);
        b.writeByte(VERSION).writeByte(f.length).writeBytes(f).writeByte(t.length).writeBytes(t);
        return b;
    }

    static ByteBuf opened(ByteBufAllocator alloc, long sessionId, byte[] token) {
        return start(alloc, 1 + 8 + TOKEN_LENGTH, OPENED).writeLong(sessionId).writeBytes(token);
    }

    static ByteBuf resume(ByteBufAllocator alloc, long sessionId, byte[] token, long lastReceived) {
        return start(alloc, 1 + 1 + 8 + TOKEN_LENGTH + 8, RESUME).writeByte(VERSION).writeLong(sessionId)
                .writeBytes(token).writeLong(lastReceived);
    }

    static ByteBuf resumed(ByteBufAllocator alloc, long lastReceived) {
        return start(alloc, 1 + 8, RESUMED).writeLong(lastReceived);
    }

    static ByteBuf data(ByteBufAllocator alloc, long seq, byte[] payload) {
        return start(alloc, DATA_HEADER_LENGTH + payload.length, DATA).writeLong(seq).writeBytes(payload);
    }

    static ByteBuf ack(ByteBufAllocator alloc, long lastReceived) {
        return start(alloc, 1 + 8, ACK).writeLong(lastReceived);
    }

    static ByteBuf close(ByteBufAllocator alloc) {
        return start(alloc, 1, CLOSE);
    }

    static ByteBuf error(ByteBufAllocator alloc, int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(r.length, MAX_REASON_BYTES);
        return start(alloc, 1 + 1 + length, ERROR).writeByte(code).writeBytes(r, 0, length);
    }

    /** Null when {@code frame} (type and body, reader at the type) is well formed, else what is wrong. */
    static String check(ByteBuf frame) {
        int length = frame.readableBytes();
        if (length < 1) {
            return "empty frame";
        }
        int at = frame.readerIndex();
        int type = frame.getByte(at);
        int body = length - 1;
        return switch (type) {
            case OPEN -> checkOpen(frame, at + 1, body);
            case OPENED -> exact("OPENED", body, 8 + TOKEN_LENGTH);
            case RESUME -> {
                String wrongLength = exact("RESUME", body, 1 + 8 + TOKEN_LENGTH + 8);
                yield wrongLength != null || frame.getUnsignedByte(at + 1) == VERSION ? wrongLength
                        : "unsupported RESUME version " + frame.getUnsignedByte(at + 1);
            }
            case RESUMED, ACK -> exact(name(type), body, 8);
            case DATA -> body >= 8 ? null : "DATA body of " + body + " bytes, need at least 8";
            case CLOSE -> exact("CLOSE", body, 0);
            case ERROR -> body >= 1 && body <= 1 + MAX_REASON_BYTES ? null : "ERROR body of " + body + " bytes";
            default -> "unknown frame type 0x" + Integer.toHexString(type & 0xFF);
        };
    }

    private static String checkOpen(ByteBuf b, int at, int body) {
        if (body < 3) {
            return "OPEN body of " + body + " bytes, need at least 3";
        }
        if (b.getUnsignedByte(at) != VERSION) {
            return "unsupported OPEN version " + b.getUnsignedByte(at);
        }
        int from = b.getUnsignedByte(at + 1);
        if (from == 0 || 2 + from >= body) {
            return "OPEN from-name length " + from + " does not fit a body of " + body + " bytes";
        }
        int to = b.getUnsignedByte(at + 2 + from);
        return to != 0 && 3 + from + to == body ? null
                : "OPEN to-name length " + to + " does not fit a body of " + body + " bytes";
    }

    /** Reads a u8-length-prefixed UTF-8 string (malformed bytes become U+FFFD, never an exception). */
    static String readName(ByteBuf b) {
        int length = b.readUnsignedByte();
        String s = b.toString(b.readerIndex(), length, StandardCharsets.UTF_8);
        b.skipBytes(length);
        return s;
    }

    static String name(int type) {
        return switch (type) {
            case OPEN -> "OPEN";
            case OPENED -> "OPENED";
            case RESUME -> "RESUME";
            case RESUMED -> "RESUMED";
            case DATA -> "DATA";
            case ACK -> "ACK";
            case CLOSE -> "CLOSE";
            case ERROR -> "ERROR";
            default -> "0x" + Integer.toHexString(type & 0xFF);
        };
    }

    private static String exact(String name, int body, int expected) {
        return body == expected ? null : name + " body of " + body + " bytes, expected " + expected;
    }

    private static ByteBuf start(ByteBufAllocator alloc, int frameLength, byte type) {
        return alloc.buffer(LENGTH_FIELD_LENGTH + frameLength).writeInt(frameLength).writeByte(type);
    }
}
