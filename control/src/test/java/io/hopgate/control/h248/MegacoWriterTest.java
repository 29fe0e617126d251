package io.hopgate.control.h248;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MegacoWriterTest {

    @Test
    void shouldWriteAddReplyInPrettyFormWithSdpLinesOnTheirOwn() {
        String text = MegacoWriter.pretty().write(Samples.addReply());

        assertThat(text).isEqualTo("""
                MEGACO/1 [127.0.0.1]:2944
                Reply = 1000 {
                  Context = 1 {
                    Add = rtp/1 {
                      Media {
                        Stream = 1 {
                          Local {
                v=0
                c=IN IP4 127.0.0.1
                m=audio 30000 RTP/AVP 0
                          }
                        }
                      }
                    },
                    Add = rtp/2 {
                      Media {
                        Stream = 1 {
                          Local {
                v=0
                c=IN IP4 127.0.0.1
                m=audio 30002 RTP/AVP 0
                          }
                        }
                      }
                    }
                  }
                }
                """);
    }

    @Test
    void shouldWriteCompactFormWithShortTokens() {
        Message m = new Message(1, Samples.MGC, List.of(new TransactionRequest(1002, List.of(new ActionRequest(
                ContextId.of(5), ContextProperties.topology(List.of(new TopologyTriple(TerminationId.of("rtp/1"),
                        TerminationId.of("rtp/2"), TopologyDirection.ONEWAY))),
                List.of(new CommandRequest(CommandType.MODIFY, TerminationId.of("rtp/1"),
                        List.of(Samples.media(LocalControlMode.SEND_ONLY, null,
                            "v=0\nc=IN IP4 127.0.0.1\nm=audio 16300 RTP/AVP 0"))),
                        new CommandRequest(CommandType.SUBTRACT, true, false, TerminationId.of("rtp/2"),
                            List.of())))))));

        assertThat(MegacoWriter.compact().write(m)).isEqualTo("!/1 [127.0.0.1]:2945\n"
                + "T=1002{C=5{TP{rtp/1,rtp/2,OW},MF=rtp/1{M{ST=1{O{MO=SO},R{\n"
                + "v=0\nc=IN IP4 127.0.0.1\nm=audio 16300 RTP/AVP 0\n}}}},O-S=rtp/2}}\n");
    }

    @Test
    void shouldWriteErrorsNullContextAckAndPending() {
        Message m = new Message(1, Samples.MG, List.of(
                new TransactionReply(7, List.of(new ActionReply(ContextId.NULL, ContextProperties.NONE, List.of(),
                        new ErrorDescriptor(430, "Unknown TerminationID: \"rtp/9\"")))),
                new TransactionPending(8),
                new TransactionResponseAck(List.of(new long[] {10, 12}, new long[] {15, 15}))));

        assertThat(MegacoWriter.pretty().write(m)).isEqualTo("""
                MEGACO/1 [127.0.0.1]:2944
                Reply = 7 {
                  Context = - {
                    Error = 430 {
                      "Unknown TerminationID: 'rtp/9'"
                    }
                  }
                }
                Pending = 8 { }
                TransactionResponseAck {
                  10-12,
                  15
                }
                """);
        assertThat(MegacoWriter.compact().write(m)).isEqualTo("!/1 [127.0.0.1]:2944\n"
                + "P=7{C=-{ER=430{\"Unknown TerminationID: 'rtp/9'\"}}}\nPN=8{}\nK{10-12,15}\n");
    }

    @Test
    void shouldRoundTripEverySampleInPrettyAndCompactForm() {
        for (Message m : Samples.all()) {
            for (MegacoWriter w : List.of(MegacoWriter.pretty(), MegacoWriter.compact())) {
                String text = w.write(m);
                assertThat(MessageParser.parse(text)).as(text).isEqualTo(m);
                assertThat(w.write(MessageParser.parse(text))).isEqualTo(text);
            }
        }
    }

    @Test
    void shouldRoundTripEveryFixture() {
        for (String f : List.of("bench-add-pretty.txt", "bench-add-compact.txt", "bench-modify-topology-pretty.txt",
                "bench-modify-topology-compact.txt", "bench-subtract-compact.txt", "bench-move-pretty.txt",
                "bench-auditvalue-pretty.txt", "bench-auditvalue-compact.txt", "bench-ack-compact.txt")) {
            Message m = MessageParser.parse(Fixtures.load(f));
            assertThat(MessageParser.parse(MegacoWriter.pretty().write(m))).as(f).isEqualTo(m);
            assertThat(MessageParser.parse(MegacoWriter.compact().write(m))).as(f).isEqualTo(m);
        }
    }

    @Test
    void shouldWriteMediaWithoutStreamAsStreamOneAndKeepUnknownItems() {
        Message m = MessageParser.parse("!/1 a\nT=1{C=1{MF=rtp/1{M{O{MO=RC},xx/yy{a=b}},Foo=3{bar,\"baz qux\"}}}}");

        String compact = MegacoWriter.compact().write(m);

        assertThat(compact)
            .isEqualTo("!/1 a\nT=1{C=1{MF=rtp/1{M{ST=1{O{MO=RC}},xx/yy{a=b}},Foo=3{bar,\"baz qux\"}}}}\n");
    }
}
