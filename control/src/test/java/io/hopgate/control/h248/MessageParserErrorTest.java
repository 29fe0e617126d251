package io.hopgate.control.h248;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

class MessageParserErrorTest {

    private static MegacoSyntaxException syntaxError(String text) {
        MegacoSyntaxException e = catchThrowableOfType(MegacoSyntaxException.class, () -> MessageParser.parse(text));
        assertThat(e).as("no syntax error for: " + text).isNotNull();
        assertThat(e.code()).isEqualTo(400);
        return e;
    }

    @Test
    void shouldReportMissingClosingBraceWithPosition() {
        MegacoSyntaxException e = syntaxError(
            "MEGACO/1 [127.0.0.1]:2944\nTransaction = 1 { Context = 1 { Add = rtp/1 }");

        assertThat(e.line()).isEqualTo(2);
        assertThat(e.offset()).isEqualTo(71);
        assertThat(e.getMessage()).contains("line 2").contains("expected ',' or '}'").contains("end of message");
    }

    @Test
    void shouldReportUnbalancedClosingBrace() {
        MegacoSyntaxException e = syntaxError("!/1 [127.0.0.1]:2944\nT=1{C=1{S=rtp/1}}}");

        assertThat(e.offset()).isEqualTo(38);
        assertThat(e.getMessage()).contains("unbalanced '}'");
    }

    @Test
    void shouldRejectMissingOrBadHeader() {
        assertThat(syntaxError("Transaction = 1 { Context = 1 { Subtract = rtp/1 } }").getMessage())
                .contains("MEGACO/<version>").contains("line 1 column 1");
        assertThat(syntaxError("").getMessage()).contains("end of message");
        assertThat(syntaxError("MEGACO/x [1.2.3.4]:2944 T=1{C=1{S=a}}").offset()).isEqualTo(7);
        assertThat(syntaxError("MEGACO/0 [1.2.3.4]:2944 T=1{C=1{S=a}}").getMessage()).contains("version");
        assertThat(syntaxError("MEGACO/1\n").getMessage()).contains("mId");
        assertThat(syntaxError("MEGACO/1 [1.2.3.4]:99999 T=1{C=1{S=a}}").getMessage()).contains("port");
        assertThat(syntaxError("MEGACO/1 [1.2.3.4]:2944").getMessage()).contains("a transaction or an Error");
    }

    @Test
    void shouldRejectUnknownCommandKeyword() {
        MegacoSyntaxException e = syntaxError("!/1 [1.2.3.4]:2944\nT=1{C=1{Frobnicate=rtp/1}}");

        assertThat(e.getMessage()).contains("'Frobnicate'").contains("column 9");
    }

    @Test
    void shouldRejectTransactionIdOutOfRange() {
        assertThat(syntaxError("!/1 [1.2.3.4]:2944\nT=4294967296{C=1{S=a}}").getMessage())
                .contains("0..4294967295").contains("'4294967296'");
        syntaxError("!/1 [1.2.3.4]:2944\nT=-1{C=1{S=a}}");
        syntaxError("!/1 [1.2.3.4]:2944\nT=99999999999999999999999{C=1{S=a}}");
        syntaxError("!/1 [1.2.3.4]:2944\nK{12-10}");
    }

    @Test
    void shouldRejectOversizedMessage() {
        String big = "!/1 [1.2.3.4]:2944\nT=1{C=1{S=a}}" + " ".repeat(MessageParser.MAX_MESSAGE_LENGTH);

        assertThat(syntaxError(big).getMessage()).contains("exceeds").contains("65536");
        byte[] bytes = new byte[MessageParser.MAX_MESSAGE_LENGTH + 1];
        MegacoSyntaxException e = catchThrowableOfType(MegacoSyntaxException.class,
                () -> MessageParser.parse(bytes, bytes.length));
        assertThat(e.getMessage()).contains("65537 bytes");
    }

    @Test
    void shouldRejectDeepNestingWithoutStackOverflow() {
        String deep = "!/1 [1.2.3.4]:2944\nT=1{C=1{MF=a{" + "x{".repeat(100_000 / 2) + "}".repeat(50_000) + "}}}";

        MegacoSyntaxException e = syntaxError(deep.substring(0, Math.min(deep.length(), 60_000)));

        assertThat(e.getMessage()).contains("at most 32 nested");
    }

    @Test
    void shouldRejectStructuralMistakesWithWhatWasExpected() {
        assertThat(syntaxError("!/1 a\nT=1{C=1{S=a S=b}}").getMessage()).contains("expected ',' or '}'");
        assertThat(syntaxError("!/1 a\nT=1{C=1{S=a,}}").getMessage()).contains("expected a name");
        assertThat(syntaxError("!/1 a\nT=1{C=1{A=a{M{L{v=0").getMessage()).contains("Local/Remote");
        assertThat(syntaxError("!/1 a\nT=1{C=1{A=a{ER=1{\"x}}}").getMessage()).contains("quoted string");
        assertThat(syntaxError("!/1 a\nT=1{C=1{MF=a{M{O{MO=Sideways}}}}}").getMessage()).contains("a mode");
        assertThat(syntaxError("!/1 a\nT=1{C=1{TP{a,b,sideways}}}").getMessage()).contains("topology direction");
        assertThat(syntaxError("!/1 a\nT=1{C=1{TP{a,b}}}").getMessage()).contains("triples");
        assertThat(syntaxError("!/1 a\nT=1{C=x{S=a}}").getMessage()).contains("context id");
        assertThat(syntaxError("!/1 a\nT=1{C=1{A}}").getMessage()).contains("termination id");
        assertThat(syntaxError("!/1 a\nT=1{Foo=1}").getMessage()).contains("Context");
        assertThat(syntaxError("!/1 a\nFoo=1{}").getMessage()).contains("Transaction, Reply");
        assertThat(syntaxError("!/1 a\nT=1").getMessage()).contains("'{' after T = 1");
        assertThat(syntaxError("!/1 a\nP=1{C=1{A=a{M{ST=70000{}}}}}").getMessage()).contains("0..65535");
        assertThat(syntaxError("!/1 a\nT=1{C=1{A=a{M{L=x}}}}").getMessage()).contains("SDP after L");
    }
}
