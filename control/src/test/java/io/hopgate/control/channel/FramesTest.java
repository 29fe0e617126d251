package io.hopgate.control.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FramesTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final byte[] TOKEN = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

    @Test
    void shouldRoundTripEveryFrameTypeThroughTheDecoder() {
        EmbeddedChannel ch = new EmbeddedChannel(Frames.decoder(1024));
        ch.writeInbound(Frames.open(ALLOC, "alice@example.com", "bob@example.com"),
                Frames.opened(ALLOC, 0x1122334455667788L, TOKEN),
                Frames.resume(ALLOC, -1L, TOKEN, 42),
                Frames.resumed(ALLOC, 7),
                Frames.data(ALLOC, 9, "hello".getBytes(StandardCharsets.UTF_8)),
                Frames.ack(ALLOC, 9),
                Frames.close(ALLOC),
                Frames.error(ALLOC, Frames.E_BAD_TOKEN, "wrong token"));

        ByteBuf f = next(ch, Frames.OPEN);
        assertThat((int) f.readUnsignedByte()).isEqualTo(Frames.VERSION);
        assertThat(Frames.readName(f)).isEqualTo("alice@example.com");
        assertThat(Frames.readName(f)).isEqualTo("bob@example.com");
        done(f);
        f = next(ch, Frames.OPENED);
        assertThat(f.readLong()).isEqualTo(0x1122334455667788L);
        assertThat(token(f)).isEqualTo(TOKEN);
        done(f);
        f = next(ch, Frames.RESUME);
        assertThat((int) f.readUnsignedByte()).isEqualTo(Frames.VERSION);
        assertThat(f.readLong()).isEqualTo(-1L);
        assertThat(token(f)).isEqualTo(TOKEN);
        assertThat(f.readLong()).isEqualTo(42);
        done(f);
        f = next(ch, Frames.RESUMED);
        assertThat(f.readLong()).isEqualTo(7);
        done(f);
        f = next(ch, Frames.DATA);
        assertThat(f.readLong()).isEqualTo(9);
        assertThat(f.toString(StandardCharsets.UTF_8)).isEqualTo("hello");
        f.skipBytes(f.readableBytes());
        done(f);
        f = next(ch, Frames.ACK);
        assertThat(f.readLong()).isEqualTo(9);
        done(f);
        done(next(ch, Frames.CLOSE));
        f = next(ch, Frames.ERROR);
        assertThat((int) f.readUnsignedByte()).isEqualTo(Frames.E_BAD_TOKEN);
        assertThat(f.toString(StandardCharsets.UTF_8)).isEqualTo("wrong token");
        f.release();

        assertThat(ch.<Object>readInbound()).isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void shouldNameWhatIsWrongWithAMalformedFrame() {
        assertThat(check()).isEqualTo("empty frame");
        assertThat(check(0x55)).isEqualTo("unknown frame type 0x55");
        assertThat(check(0x11, 0, 0, 0)).isEqualTo("ACK body of 3 bytes, expected 8");
        assertThat(check(0x10, 0, 0, 0, 0, 0, 0, 0)).isEqualTo("DATA body of 7 bytes, need at least 8");
        assertThat(check(0x12, 0)).isEqualTo("CLOSE body of 1 bytes, expected 0");
        assertThat(check(0x01, 2, 1, 'a', 1, 'b')).isEqualTo("unsupported OPEN version 2");
        // version 1, from-name of 9 bytes in a 5-byte body
        assertThat(check(0x01, 1, 9, 'a', 1, 'b')).startsWith("OPEN from-name length 9");
        // version 1, from "a", to-name of 5 bytes but only one follows
        assertThat(check(0x01, 1, 1, 'a', 5, 'b')).startsWith("OPEN to-name length 5");
        assertThat(check(0x01, 1, 1, 'a', 1, 'b')).isNull();
        assertThat(check(0x7F)).isEqualTo("ERROR body of 0 bytes");
        assertThat(check(0x03, 1)).isEqualTo("RESUME body of 1 bytes, expected 33");
    }

    @Test
    void shouldRejectAFrameOverTheLimitWithoutBufferingIt() {
        EmbeddedChannel ch = new EmbeddedChannel(Frames.decoder(16));
        ByteBuf tooLong = Unpooled.buffer().writeInt(17).writeByte(Frames.DATA);
        assertThatThrownBy(() -> ch.writeInbound(tooLong)).isInstanceOf(TooLongFrameException.class);
        assertThat(ch.<Object>readInbound()).isNull();
        ch.finishAndReleaseAll();
    }

    private static String check(int... bytes) {
        ByteBuf b = Unpooled.buffer();
        for (int x : bytes) {
            b.writeByte(x);
        }
        try {
            return Frames.check(b);
        } finally {
            b.release();
        }
    }

    private static ByteBuf next(EmbeddedChannel ch, byte type) {
        ByteBuf f = ch.readInbound();
        assertThat(Frames.check(f)).isNull();
        assertThat(f.readByte()).isEqualTo(type);
        return f;
    }

    private static byte[] token(ByteBuf f) {
        byte[] t = new byte[Frames.TOKEN_LENGTH];
        f.readBytes(t);
        return t;
    }

    private static void done(ByteBuf f) {
        assertThat(f.readableBytes()).as("left over").isZero();
        f.release();
    }
}
