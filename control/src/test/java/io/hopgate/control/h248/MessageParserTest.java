package io.hopgate.control.h248;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageParserTest {

    private static final String LOCAL_CHOOSE = "v=0\nc=IN IP4 $\nm=audio $ RTP/AVP 0";

    private static StreamDescriptor onlyStream(CommandRequest c) {
        MediaDescriptor m = c.descriptor(MediaDescriptor.class);
        assertThat(m.streams()).hasSize(1);
        return m.streams().get(0);
    }

    @Test
    void shouldParseBenchmarkAddRequestInPrettyForm() {
        Message m = MessageParser.parse(Fixtures.load("bench-add-pretty.txt"));

        assertThat(m.version()).isEqualTo(1);
        assertThat(m.mid()).isEqualTo("[127.0.0.1]:2945");
        assertThat(m.messageError()).isNull();
        TransactionRequest t = (TransactionRequest) m.transactions().get(0);
        assertThat(t.id()).isEqualTo(1000);
        ActionRequest a = t.actions().get(0);
        assertThat(a.contextId()).isEqualTo(ContextId.CHOOSE);
        assertThat(a.commands()).hasSize(2);
        CommandRequest first = a.commands().get(0);
        assertThat(first.type()).isEqualTo(CommandType.ADD);
        assertThat(first.terminationId()).isEqualTo(TerminationId.CHOOSE);
        StreamDescriptor s = onlyStream(first);
        assertThat(s.id()).isEqualTo(1);
        assertThat(s.localControl().mode()).isEqualTo(LocalControlMode.SEND_RECEIVE);
        assertThat(s.localSdp()).isEqualTo(LOCAL_CHOOSE);
        assertThat(s.remoteSdp()).isEqualTo("v=0\nc=IN IP4 127.0.0.1\nm=audio 16200 RTP/AVP 0");
        assertThat(onlyStream(a.commands().get(1)).remoteSdp()).endsWith("m=audio 16202 RTP/AVP 0");
    }

    @Test
    void shouldParseBenchmarkAddRequestInCompactForm() {
        Message m = MessageParser.parse(Fixtures.load("bench-add-compact.txt"));

        TransactionRequest t = (TransactionRequest) m.transactions().get(0);
        assertThat(t.id()).isEqualTo(1001);
        StreamDescriptor s = onlyStream(t.actions().get(0).commands().get(1));
        assertThat(s.localControl().mode()).isEqualTo(LocalControlMode.SEND_RECEIVE);
        assertThat(s.localSdp()).isEqualTo(LOCAL_CHOOSE);
        assertThat(s.remoteSdp()).isEqualTo("v=0\nc=IN IP4 127.0.0.1\nm=audio 16202 RTP/AVP 0");
    }

    @Test
    void shouldParseModifyWithContextTopologyInBothForms() {
        for (String f : List.of("bench-modify-topology-pretty.txt", "bench-modify-topology-compact.txt")) {
            Message m = MessageParser.parse(Fixtures.load(f));

            ActionRequest a = ((TransactionRequest) m.transactions().get(0)).actions().get(0);
            assertThat(a.contextId()).isEqualTo(ContextId.of(5));
            assertThat(a.properties().topology()).containsExactly(
                    new TopologyTriple(TerminationId.of("rtp/1"), TerminationId.of("rtp/2"), TopologyDirection.ONEWAY));
            CommandRequest mf = a.commands().get(0);
            assertThat(mf.type()).isEqualTo(CommandType.MODIFY);
            assertThat(mf.terminationId().text()).isEqualTo("rtp/1");
            StreamDescriptor s = onlyStream(mf);
            assertThat(s.localControl().mode()).isEqualTo(LocalControlMode.SEND_ONLY);
            assertThat(s.localSdp()).isNull();
            assertThat(s.remoteSdp()).contains("o=- 0 0 IN IP4 127.0.0.1\ns=-\n").endsWith("m=audio 16300 RTP/AVP 0");
        }
    }

    @Test
    void shouldParseSubtractMoveAndAuditValue() {
        ActionRequest sub = ((TransactionRequest) MessageParser.parse(Fixtures.load("bench-subtract-compact.txt"))
                .transactions().get(0)).actions().get(0);
        assertThat(sub.commands()).extracting(CommandRequest::type).containsExactly(CommandType.SUBTRACT,
                CommandType.SUBTRACT);
        assertThat(sub.commands()).extracting(c -> c.terminationId().text()).containsExactly("rtp/1", "rtp/2");
        assertThat(sub.commands().get(0).descriptors()).isEmpty();

        ActionRequest mv = ((TransactionRequest) MessageParser.parse(Fixtures.load("bench-move-pretty.txt"))
                .transactions().get(0)).actions().get(0);
        assertThat(mv.contextId().value()).isEqualTo(7);
        assertThat(mv.commands().get(0).type()).isEqualTo(CommandType.MOVE);

        for (String f : List.of("bench-auditvalue-pretty.txt", "bench-auditvalue-compact.txt")) {
            ActionRequest av = ((TransactionRequest) MessageParser.parse(Fixtures.load(f)).transactions().get(0))
                    .actions().get(0);
            assertThat(av.contextId().isNull()).isTrue();
            CommandRequest c = av.commands().get(0);
            assertThat(c.type()).isEqualTo(CommandType.AUDIT_VALUE);
            assertThat(c.terminationId().isRoot()).isTrue();
            assertThat(c.descriptors()).containsExactly(new AuditDescriptor(List.of()));
        }
    }

    @Test
    void shouldParseTransactionResponseAckWithRanges() {
        Message compact = MessageParser.parse(Fixtures.load("bench-ack-compact.txt"));
        assertThat(compact.transactions()).containsExactly(TransactionResponseAck.of(1000));

        Message m = MessageParser.parse("MEGACO/1 [10.0.0.1]:2944\nTransactionResponseAck { 10-12, 15 }\n");
        TransactionResponseAck k = (TransactionResponseAck) m.transactions().get(0);
        assertThat(k.ranges()).containsExactly(new long[] {10, 12}, new long[] {15, 15});
        assertThat(k.acknowledges(11)).isTrue();
        assertThat(k.acknowledges(13)).isFalse();
    }

    @Test
    void shouldParseReplyWithStatisticsAndCommandError() {
        String text = """
                MEGACO/1 [127.0.0.1]:2944
                Reply = 1003 {
                  Context = 5 {
                    Subtract = rtp/1 { Statistics { rtp/ps = 120, rtp/pr = 118, nt/os = 20640, nt/dur = 2400 } },
                    Subtract = rtp/9 { Error = 430 { "Unknown TerminationID: rtp/9" } }
                  }
                }
                """;
        TransactionReply r = (TransactionReply) MessageParser.parse(text).transactions().get(0);

        assertThat(r.id()).isEqualTo(1003);
        assertThat(r.immAckRequired()).isFalse();
        ActionReply a = r.actions().get(0);
        CommandReply ok = a.commands().get(0);
        assertThat(ok.type()).isEqualTo(CommandType.SUBTRACT);
        assertThat(ok.descriptor(StatisticsDescriptor.class).statistics())
                .containsExactly(Map.entry("rtp/ps", "120"), Map.entry("rtp/pr", "118"), Map.entry("nt/os", "20640"),
                        Map.entry("nt/dur", "2400"));
        assertThat(ok.error()).isNull();
        assertThat(a.commands().get(1).error()).isEqualTo(new ErrorDescriptor(430, "Unknown TerminationID: rtp/9"));
    }

    @Test
    void shouldParseCompactReplyWithImmAckAndTransactionError() {
        Message m = MessageParser.parse("!/2 [127.0.0.1]:2944 P=7{IA,ER=411{\"no context 77\"}}"
                + "P=8{C=12{A=rtp/4{M{ST=1{L{\nv=0\nc=IN IP4 127.0.0.1\nm=audio 30004 RTP/AVP 0\n}}}}}}");

        assertThat(m.version()).isEqualTo(2);
        TransactionReply first = (TransactionReply) m.transactions().get(0);
        assertThat(first.immAckRequired()).isTrue();
        assertThat(first.error()).isEqualTo(ErrorDescriptor.of(ErrorCode.UNKNOWN_CONTEXT_ID, "no context 77"));
        TransactionReply second = (TransactionReply) m.transactions().get(1);
        CommandReply add = second.actions().get(0).commands().get(0);
        assertThat(add.terminationId().text()).isEqualTo("rtp/4");
        assertThat(add.descriptor(MediaDescriptor.class).stream(1).localSdp())
                .isEqualTo("v=0\nc=IN IP4 127.0.0.1\nm=audio 30004 RTP/AVP 0");
    }

    @Test
    void shouldParseServiceChangeRestartAndItsReply() {
        // RFC 3525 / H.248.1 Appendix A style: MG registers with its MGC
        String request = """
                MEGACO/2 [124.124.124.222]:55555
                Transaction = 9998 {
                    Context = - {
                        ServiceChange = ROOT { Services {
                            Method = Restart, Reason = "901 Cold Boot",
                            ServiceChangeAddress = 55555, Profile = ResGW/1, Version = 2 } }
                    }
                }
                """;
        CommandRequest sc = ((TransactionRequest) MessageParser.parse(request).transactions().get(0)).actions().get(0)
                .commands().get(0);
        assertThat(sc.type()).isEqualTo(CommandType.SERVICE_CHANGE);
        assertThat(sc.terminationId()).isEqualTo(TerminationId.ROOT);
        assertThat(sc.descriptors()).containsExactly(new ServiceChangeDescriptor(ServiceChangeMethod.RESTART,
                "901 Cold Boot", "55555", "ResGW/1", 2, null, null));

        String reply = "!/2 [123.123.123.4]:55555\nP=9998{C=-{SC=root{SV{AD=55555,V=2}}}}";
        CommandReply r = ((TransactionReply) MessageParser.parse(reply).transactions().get(0)).actions().get(0)
                .commands().get(0);
        assertThat(r.terminationId().isRoot()).isTrue();
        assertThat(r.descriptor(ServiceChangeDescriptor.class))
                .isEqualTo(new ServiceChangeDescriptor(null, null, "55555", null, 2, null, null));
    }

    @Test
    void shouldParseNotifyWithObservedEventsAndEventsDescriptor() {
        String text = """
                MEGACO/1 [124.124.124.222]:55555
                Transaction = 10000 {
                  Context = - {
                    Notify = 'tdm/1' ; not a valid id? it is: quotes are plain characters here
                  }
                }
                """.replace("'tdm/1' ;", "tdm/1 {ObservedEvents = 2222 {19990729T22000000:al/of, "
                + "19990729T22000100:dd/ce { ds = \"916135551212\", Meth = UM, Stream = 1 }}} ;");
        CommandRequest n = ((TransactionRequest) MessageParser.parse(text).transactions().get(0)).actions().get(0)
                .commands().get(0);
        ObservedEventsDescriptor oe = n.descriptor(ObservedEventsDescriptor.class);
        assertThat(oe.requestId()).isEqualTo(2222);
        assertThat(oe.events()).containsExactly(
                new ObservedEventsDescriptor.ObservedEvent("19990729T22000000", "al/of", Map.of()),
                new ObservedEventsDescriptor.ObservedEvent("19990729T22000100", "dd/ce",
                        Map.of("ds", "916135551212", "Meth", "UM", "Stream", "1")));

        String mod = "!/1 mgc1\nT=5{C=-{MF=tdm/1{E=2223{al/on,dd/ce{DM=dialplan0}},SG{cg/rt}}}}";
        CommandRequest m = ((TransactionRequest) MessageParser.parse(mod).transactions().get(0)).actions().get(0)
                .commands().get(0);
        EventsDescriptor ev = m.descriptor(EventsDescriptor.class);
        assertThat(ev.requestId()).isEqualTo(2223);
        assertThat(ev.events()).extracting(EventsDescriptor.RequestedEvent::name).containsExactly("al/on", "dd/ce");
        // inside a package item only long tokens are normalised: "DM" stays as written
        assertThat(ev.events().get(1).parameters())
                .containsExactly(new GenericDescriptor("DM", "dialplan0", null));
        // Signals is not modelled: kept generic so the gateway can answer 444/452 instead of ignoring it
        assertThat(m.descriptor(GenericDescriptor.class))
                .isEqualTo(new GenericDescriptor("Signals", null, List.of(new GenericDescriptor("cg/rt", null, null))));
    }

    @Test
    void shouldAcceptMixedCaseTokensCommentsAndArbitraryWhitespace() {
        String text = "; leading comment\r\n  megaco/1   <mg.example.net>:2944 ; header comment\r\n"
                + "tRaNsAcTiOn=7{context=${\r\n add = rtp/$ ; pick one\r\n"
                + "{ mEdIa { lOcAlCoNtRoL {mode = recvonly}}}}}".replace("recvonly", "ReceiveOnly")
                + "\r\nt = 8 { c = 3 { mv = rtp/2 }, C=4{o-W-s=rtp/*} }";
        Message m = MessageParser.parse(text);

        assertThat(m.mid()).isEqualTo("<mg.example.net>:2944");
        TransactionRequest t = (TransactionRequest) m.transactions().get(0);
        CommandRequest add = t.actions().get(0).commands().get(0);
        assertThat(add.terminationId().text()).isEqualTo("rtp/$");
        assertThat(add.descriptor(MediaDescriptor.class).stream(1).localControl().mode())
                .isEqualTo(LocalControlMode.RECEIVE_ONLY);
        TransactionRequest t8 = (TransactionRequest) m.transactions().get(1);
        CommandRequest sub = t8.actions().get(1).commands().get(0);
        assertThat(sub.type()).isEqualTo(CommandType.SUBTRACT);
        assertThat(sub.optional()).isTrue();
        assertThat(sub.wildcardReply()).isTrue();
        assertThat(sub.terminationId().isWildcard()).isTrue();
    }

    @Test
    void shouldParseMediaWithoutStreamAsStreamOne() {
        Message m = MessageParser.parse("!/1 [::1]\nT=1{C=1{MF=rtp/1{M{TS{SI=IV,BF=OFF,nt/jit=40},O{MO=LB,RV=ON,RG=OFF,"
                + "tdmc/ec=on},R{\r\n  v=0 \r\n\r\n  c=IN IP6 ::1\r\n}}}}}");

        assertThat(m.mid()).isEqualTo("[::1]");
        MediaDescriptor md = ((TransactionRequest) m.transactions().get(0)).actions().get(0).commands().get(0)
                .descriptor(MediaDescriptor.class);
        assertThat(md.terminationState())
                .isEqualTo(new TerminationStateDescriptor(ServiceState.IN_SERVICE, "Off", Map.of("nt/jit", "40")));
        StreamDescriptor s = md.stream(1);
        assertThat(s.localControl())
                .isEqualTo(new LocalControlDescriptor(LocalControlMode.LOOPBACK, true, false, Map.of("tdmc/ec", "on")));
        assertThat(s.remoteSdp()).isEqualTo("v=0\nc=IN IP6 ::1");
    }

    @Test
    void shouldParseAllTopologyDirectionsAndContextProperties() {
        Message m = MessageParser.parse("MEGACO/3 mg1 Transaction=1{Context=9{Priority=3,Emergency,"
                + "Topology{a,b,isolate,b,a,BW,a,c,onewayexternal,c,a,OWB,T1,T2,ow},ContextAudit{Topology}}}");

        ContextProperties p = ((TransactionRequest) m.transactions().get(0)).actions().get(0).properties();
        assertThat(p.priority()).isEqualTo(3);
        assertThat(p.emergency()).isTrue();
        assertThat(p.topology()).extracting(TopologyTriple::direction).containsExactly(TopologyDirection.ISOLATE,
                TopologyDirection.BOTHWAY, TopologyDirection.ONEWAY_EXTERNAL, TopologyDirection.ONEWAY_BOTH,
                TopologyDirection.ONEWAY);
        assertThat(p.other()).containsExactly(new GenericDescriptor("ContextAudit", null,
                List.of(new GenericDescriptor("Topology", null, null))));
    }

    @Test
    void shouldParsePendingMessageErrorAndMidForms() {
        assertThat(MessageParser.parse("MEGACO/1 [10.1.1.1]:2944 Pending = 4294967295 { }").transactions())
                .containsExactly(new TransactionPending(4294967295L));
        Message err = MessageParser.parse("!/1 mtp{0A1B}\nER=400{\"Syntax error at line 3\"}");
        assertThat(err.mid()).isEqualTo("mtp{0A1B}");
        assertThat(err.messageError()).isEqualTo(new ErrorDescriptor(400, "Syntax error at line 3"));
        assertThat(err.transactions()).isEmpty();
    }

    @Test
    void shouldParseDatagramBytes() {
        byte[] buf = new byte[1500];
        byte[] text = "!/1 [127.0.0.1]:2944\nP=1{C=2{A=rtp/1}}".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, buf, 0, text.length);

        Message m = MessageParser.parse(buf, text.length);

        assertThat(((TransactionReply) m.transactions().get(0)).actions().get(0).commands().get(0).terminationId())
                .isEqualTo(TerminationId.of("rtp/1"));
    }

    @Test
    void shouldKeepUnknownDescriptorsAsGenericNodes() {
        Message m = MessageParser.parse("!/1 a\nT=1{C=1{MF=rtp/1{M{ST=1{O{MO=SR},xx/yy{a=b}},MX=X{a,b}},"
                + "Foo=3{bar,\"baz qux\"}}}}");

        CommandRequest mf = ((TransactionRequest) m.transactions().get(0)).actions().get(0).commands().get(0);
        MediaDescriptor md = mf.descriptor(MediaDescriptor.class);
        assertThat(md.other()).containsExactly(new GenericDescriptor("Mux", "X",
                List.of(new GenericDescriptor("a", null, null), new GenericDescriptor("b", null, null))));
        assertThat(md.stream(1).other()).containsExactly(
                new GenericDescriptor("xx/yy", null, List.of(new GenericDescriptor("a", "b", null))));
        assertThat(mf.descriptors().get(1)).isEqualTo(new GenericDescriptor("Foo", "3",
                List.of(new GenericDescriptor("bar", null, null), new GenericDescriptor(null, "baz qux", null))));
    }
}
