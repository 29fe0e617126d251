package io.hopgate.control.h248;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Typed messages covering every transaction, command and descriptor kind, for round trips. */
final class Samples {
    static final String MG = "[127.0.0.1]:2944";
    static final String MGC = "[127.0.0.1]:2945";
    static final String LOCAL = "v=0\nc=IN IP4 127.0.0.1\nm=audio 30000 RTP/AVP 0";
    static final String REMOTE = "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
            + "m=audio 16200 RTP/AVP 0 8\na=rtpmap:0 PCMU/8000\na=ptime:20";

    private Samples() {
    }

    static MediaDescriptor media(LocalControlMode mode, String local, String remote) {
        return new MediaDescriptor(null,
                List.of(new StreamDescriptor(1, mode == null ? null : LocalControlDescriptor.of(mode), local, remote)));
    }

    /** The Add reply an MG sends for the benchmark's Add + Add. */
    static Message addReply() {
        return new Message(1, MG, List.of(new TransactionReply(1000, List.of(new ActionReply(ContextId.of(1),
                List.of(new CommandReply(CommandType.ADD, TerminationId.of("rtp/1"),
                                List.of(media(null, LOCAL, null))),
                        new CommandReply(CommandType.ADD, TerminationId.of("rtp/2"),
                                List.of(media(null, LOCAL.replace("30000", "30002"), null)))))))));
    }

    static Message request(int version, String mid, long tid, ContextId ctx, CommandRequest... cmds) {
        return new Message(version, mid, List.of(new TransactionRequest(tid, List.of(new ActionRequest(ctx,
                List.of(cmds))))));
    }

    static Message reply(int version, String mid, long tid, ContextId ctx, CommandReply... cmds) {
        return new Message(version, mid, List.of(new TransactionReply(tid, List.of(new ActionReply(ctx,
                List.of(cmds))))));
    }

    static List<Message> all() {
        List<Message> out = new ArrayList<>();
        out.add(addReply());
        // every request command, with the descriptors each usually carries
        TerminationId t1 = TerminationId.of("rtp/1");
        TerminationId t2 = TerminationId.of("rtp/2");
        List<CommandRequest> cmds = List.of(
                new CommandRequest(CommandType.ADD, TerminationId.CHOOSE,
                        List.of(media(LocalControlMode.SEND_RECEIVE, "v=0\nc=IN IP4 $\nm=audio $ RTP/AVP 0", REMOTE))),
                new CommandRequest(CommandType.MODIFY, t1, List.of(new MediaDescriptor(
                        new TerminationStateDescriptor(ServiceState.IN_SERVICE, "LockStep", Map.of("nt/jit", "40")),
                        List.of(new StreamDescriptor(1,
                            new LocalControlDescriptor(LocalControlMode.INACTIVE, true, false,
                                Map.of("tdmc/ec", "on")), null, "v=0\nc=IN IP4 10.0.0.1\nm=audio 4000 RTP/AVP 0"),
                                new StreamDescriptor(2, LocalControlDescriptor.of(LocalControlMode.LOOPBACK), null,
                                    null)),
                        List.of(new GenericDescriptor("Mux", "H221",
                            List.of(new GenericDescriptor("rtp/9", null, null))))),
                        new EventsDescriptor(77, List.of(new EventsDescriptor.RequestedEvent("al/on", List.of()),
                                new EventsDescriptor.RequestedEvent("dd/ce",
                                        List.of(new GenericDescriptor("DigitMap", "dialplan0", null))))),
                        new GenericDescriptor("Signals", null, List.of(new GenericDescriptor("cg/rt", null, null))))),
                new CommandRequest(CommandType.SUBTRACT, true, true, TerminationId.of("rtp/*"),
                        List.of(new AuditDescriptor(List.of("Statistics")))),
                new CommandRequest(CommandType.MOVE, t2, List.of()),
                new CommandRequest(CommandType.AUDIT_VALUE, TerminationId.ROOT,
                        List.of(new AuditDescriptor(List.of("Media", "Packages", "Statistics")))),
                new CommandRequest(CommandType.AUDIT_CAPABILITY, t1, List.of(new AuditDescriptor(List.of()))));
        out.add(new Message(1, MGC, List.of(new TransactionRequest(4294967295L, List.of(
                new ActionRequest(ContextId.of(42), new ContextProperties(List.of(
                        new TopologyTriple(t1, t2, TopologyDirection.ONEWAY),
                        new TopologyTriple(t2, t1, TopologyDirection.ISOLATE),
                        new TopologyTriple(t1, TerminationId.of("rtp/3"), TopologyDirection.ONEWAY_EXTERNAL),
                        new TopologyTriple(t2, TerminationId.of("rtp/3"), TopologyDirection.ONEWAY_BOTH),
                        new TopologyTriple(TerminationId.of("rtp/3"), t1, TopologyDirection.BOTHWAY)),
                        7, true, List.of()), cmds),
                new ActionRequest(ContextId.NULL, new ContextProperties(List.of(), null, false,
                        List.of(new GenericDescriptor("ContextAudit", null,
                                List.of(new GenericDescriptor("Topology", null, null))))), List.of()))))));
        // ServiceChange Restart from MG to MGC, and its reply
        ServiceChangeDescriptor restart = new ServiceChangeDescriptor(ServiceChangeMethod.RESTART, "901 Cold Boot",
                "2944", "ResGW/1", 2, 0, "[10.0.0.9]:2944",
                List.of(new GenericDescriptor("TimeStamp", "20240101T10000000", null)));
        out.add(request(2, "<mg1.example.net>:2944", 9998, ContextId.NULL,
                new CommandRequest(CommandType.SERVICE_CHANGE, TerminationId.ROOT, List.of(restart))));
        out.add(reply(2, MGC, 9998, ContextId.NULL, new CommandReply(CommandType.SERVICE_CHANGE, TerminationId.ROOT,
                List.of(new ServiceChangeDescriptor(null, null, "2945", null, 2, null, null)))));
        // Notify with ObservedEvents (MG to MGC) and its reply
        ObservedEventsDescriptor observed = new ObservedEventsDescriptor(77, List.of(
                new ObservedEventsDescriptor.ObservedEvent("19990729T22000000", "al/of", Map.of()),
                new ObservedEventsDescriptor.ObservedEvent(null, "dd/ce", Map.of("ds", "916135551212", "Meth", "UM"))));
        out.add(request(1, "mg1", 10000, ContextId.of(5),
                new CommandRequest(CommandType.NOTIFY, t1, List.of(observed))));
        out.add(reply(1, MGC, 10000, ContextId.of(5), new CommandReply(CommandType.NOTIFY, t1, List.of())));
        // replies with Statistics, with errors at every level, Pending, ack, several transactions
        out.add(new Message(1, MG, List.of(
                new TransactionPending(1003),
                new TransactionReply(1003, true, List.of(new ActionReply(ContextId.of(5), ContextProperties.NONE,
                        List.of(new CommandReply(CommandType.SUBTRACT, t1, List.of(new StatisticsDescriptor(
                                Map.of("rtp/ps", "120", "rtp/pr", "118", "nt/os", "20640", "nt/dur", "2400")))),
                                new CommandReply(CommandType.SUBTRACT, TerminationId.of("rtp/9"),
                                        List.of(ErrorDescriptor.of(ErrorCode.UNKNOWN_TERMINATION_ID,
                                                "Unknown TerminationID: rtp/9")))),
                        new ErrorDescriptor(422, "bad action"))), null),
                TransactionReply.error(1004, ErrorDescriptor.of(ErrorCode.UNKNOWN_CONTEXT_ID, "context 77 unknown")),
                new TransactionReply(1005, List.of(new ActionReply(ContextId.NULL, List.of(new CommandReply(
                        CommandType.AUDIT_VALUE, TerminationId.ROOT, List.of(
                                new PackagesDescriptor(Map.of("nt", 1, "rtp", 1)),
                                new StatisticsDescriptor(Map.of("nt/os", "0")))))))),
                new TransactionResponseAck(List.of(new long[] {10, 12}, new long[] {15, 15})))));
        out.add(Message.error(1, MG, new ErrorDescriptor(400, "Syntax error at line 2: expected '}'")));
        out.add(Message.error(3, "mtp{0A1B}", new ErrorDescriptor(406, null)));
        return out;
    }
}
