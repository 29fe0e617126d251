#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noshell
%%
%% An independent MGC for ErlangMegacoInteropTest: Erlang/OTP megaco's text encoders build and encode
%% the requests, gen_udp carries them to the gateway, and the same stack decodes every reply.
%%
%% usage: megaco_mgc.escript pretty|compact Version GatewayHost GatewayPort RemotePortA RemotePortB
%%
%% The message terms are plain tuples (OTP's megaco_message_v1/v2.hrl records spelled out), because
%% Debian's erlang-megaco ships no include files. Version 1 and 2 differ here only in
%% TopologyRequest (v2: + streamID) and AuditDescriptor (v2: + auditPropertyToken).
%%
%% Output, one fact per line (spaces inside values become '_'):
%%   REPLY txn=T decoded=ok version=V            a reply Erlang decoded
%%   DECODEFAIL txn=T reason=...                  a reply Erlang could not decode
%%   ACTION txn=T ctx=C error=Code|-              one action reply
%%   CMD txn=T ctx=C cmd=Kind term=Id localport=P stats=name:value,...|- error=Code|-
%%       (stats also lists an audited Packages descriptor as package:name-version)
%%   SYNTAXERROR txn=T decoded=ok version=V error=Code   reply to a deliberately invalid request
%%   CALL ctx=C a=TermA:PortA b=TermB:PortB       then waits for a line on stdin before tearing down
%%   DONE
%% Exit status: 0 done, 2 usage, 3 megaco not installed, 4 no reply.

-define(CHOOSE, 16#FFFFFFFE).
-define(NULL, 0).

main([Enc, V0, Host, Port0, PA0, PB0]) ->
    case code:which(megaco_pretty_text_encoder) of
        non_existing -> io:format("NOMEGACO~n"), halt(3);
        _ -> ok
    end,
    Mod = case Enc of
              "pretty" -> megaco_pretty_text_encoder;
              "compact" -> megaco_compact_text_encoder
          end,
    V = list_to_integer(V0),
    {ok, Addr} = inet:parse_address(Host),
    Port = list_to_integer(Port0),
    PA = list_to_integer(PA0),
    PB = list_to_integer(PB0),
    {ok, S} = gen_udp:open(0, [binary, {active, false}, {ip, {127,0,0,1}}]),
    {ok, MyPort} = inet:port(S),
    Ctx0 = #{mod => Mod, v => V, sock => S, addr => Addr, port => Port, myport => MyPort},

    %% 1. Context $ { Add $ (Local with $ port, Remote A), Add $ (Remote B) }
    R1 = call(Ctx0, 101, [action(?CHOOSE, asn1_NOVALUE,
                                 [add_choose(PA, sendRecv), add_choose(PB, sendRecv)])]),
    [{C, [{TA, LPA}, {TB, LPB}]}] = [{Cx, [{T, P} || {addReply, T, P, _, _} <- Cmds]} || {Cx, _, Cmds} <- R1],

    %% 2. Context C { Topology { A, B, Bothway }, Modify A { Mode SendReceive } }
    call(Ctx0, 102, [action(C, {'ContextRequest', asn1_NOVALUE, asn1_NOVALUE,
                                [topology(V, TA, TB, bothway)]},
                            [cmd({modReq, {'AmmRequest', [tid(TA)], [media(sendRecv, asn1_NOVALUE, asn1_NOVALUE)]}})])]),

    %% 3. Context - { AuditValue ROOT { Audit { Packages } } }
    call(Ctx0, 103, [action(?NULL, asn1_NOVALUE,
                            [cmd({auditValueRequest, {'AuditRequest', {megaco_term_id, false, ["root"]},
                                                      audit_descriptor(V, [packagesToken])}})])]),

    %% 4. an error the MGC can expect: Subtract in a context that does not exist
    call(Ctx0, 104, [action(999999, asn1_NOVALUE,
                            [cmd({subtractReq, {'SubtractRequest', [tid(TA)], audit_descriptor(V, [statsToken])}})])]),

    %% 5. a request with a syntax error (raw text, not encoded by Erlang): the message-level Error 400 must decode
    syntax_error(Ctx0, Enc, 107),

    io:format("CALL ctx=~b a=~s:~s b=~s:~s~n", [C, TA, LPA, TB, LPB]),
    _ = io:get_line(""),

    %% 5. Context C { Modify B { Mode SendOnly } } then Subtract both with statistics
    call(Ctx0, 105, [action(C, asn1_NOVALUE,
                            [cmd({modReq, {'AmmRequest', [tid(TB)], [media(sendOnly, asn1_NOVALUE, asn1_NOVALUE)]}})])]),
    call(Ctx0, 106, [action(C, asn1_NOVALUE,
                            [cmd({subtractReq, {'SubtractRequest', [tid(TA)], audit_descriptor(V, [statsToken])}}),
                             cmd({subtractReq, {'SubtractRequest', [tid(TB)], audit_descriptor(V, [statsToken])}})])]),
    io:format("DONE~n"),
    halt(0);
main(_) ->
    io:format(standard_error, "usage: megaco_mgc.escript pretty|compact Version Host Port RemotePortA RemotePortB~n", []),
    halt(2).

%% ---- building requests (terms) ------------------------------------------------------------------

message(V, MyPort, Txn, Actions) ->
    {'MegacoMessage', asn1_NOVALUE,
     {'Message', V, {ip4Address, {'IP4Address', [127,0,0,1], MyPort}},
      {transactions, [{transactionRequest, {'TransactionRequest', Txn, Actions}}]}}}.

action(Ctx, ContextRequest, Commands) ->
    {'ActionRequest', Ctx, ContextRequest, asn1_NOVALUE, Commands}.

cmd(C) -> {'CommandRequest', C, asn1_NOVALUE, asn1_NOVALUE}.

tid(Text) -> {megaco_term_id, false, string:split(Text, "/", all)}.

add_choose(RemotePort, Mode) ->
    Local = [parm("v", "0"), parm("c", "IN IP4 $"), parm("m", "audio $ RTP/AVP 0")],
    Remote = [parm("v", "0"), parm("c", "IN IP4 127.0.0.1"),
              parm("m", "audio " ++ integer_to_list(RemotePort) ++ " RTP/AVP 0")],
    cmd({addReq, {'AmmRequest', [{megaco_term_id, true, ["$"]}],
                  [media(Mode, {'LocalRemoteDescriptor', [Local]}, {'LocalRemoteDescriptor', [Remote]})]}}).

parm(Name, Value) -> {'PropertyParm', Name, [Value], asn1_NOVALUE}.

media(Mode, Local, Remote) ->
    {mediaDescriptor,
     {'MediaDescriptor', asn1_NOVALUE,
      {multiStream, [{'StreamDescriptor', 1,
                      {'StreamParms', {'LocalControlDescriptor', Mode, asn1_NOVALUE, asn1_NOVALUE, []},
                       Local, Remote}}]}}}.

topology(1, From, To, Dir) -> {'TopologyRequest', tid(From), tid(To), Dir};
topology(_, From, To, Dir) -> {'TopologyRequest', tid(From), tid(To), Dir, asn1_NOVALUE}.

audit_descriptor(1, Tokens) -> {'AuditDescriptor', Tokens};
audit_descriptor(_, Tokens) -> {'AuditDescriptor', Tokens, asn1_NOVALUE}.

%% ---- one transaction: encode, send, receive, decode ---------------------------------------------

call(#{mod := Mod, v := V, sock := S, addr := Addr, port := Port, myport := MyPort}, Txn, Actions) ->
    {ok, Bin} = Mod:encode_message([], V, message(V, MyPort, Txn, Actions)),
    io:format(standard_error, ">>> ~s~n", [Bin]),
    ok = gen_udp:send(S, Addr, Port, Bin),
    receive_reply(Mod, V, S, Txn).

syntax_error(#{mod := Mod, v := V, sock := S, addr := Addr, port := Port, myport := MyPort}, Enc, Txn) ->
    Text = case Enc of
               "pretty" -> io_lib:format("MEGACO/~b [127.0.0.1]:~b~nTransaction = ~b { Context = - { Foo } }~n",
                                         [V, MyPort, Txn]);
               "compact" -> io_lib:format("!/~b [127.0.0.1]:~b~nT=~b{C=-{Foo}}~n", [V, MyPort, Txn])
           end,
    io:format(standard_error, ">>> ~s~n", [Text]),
    ok = gen_udp:send(S, Addr, Port, iolist_to_binary(Text)),
    case gen_udp:recv(S, 0, 3000) of
        {error, timeout} ->
            io:format("NOREPLY txn=~b~n", [Txn]), halt(4);
        {ok, {_, _, Bin}} ->
            io:format(standard_error, "<<< ~s~n", [Bin]),
            case Mod:decode_message([], V, Bin) of
                {ok, {'MegacoMessage', _, {'Message', RV, _Mid, {messageError, {'ErrorDescriptor', Code, _}}}}} ->
                    io:format("SYNTAXERROR txn=~b decoded=ok version=~b error=~b~n", [Txn, RV, Code]);
                {ok, {'MegacoMessage', _, {'Message', RV, _Mid, {transactions, Ts}}}} ->
                    Codes = [C || {transactionReply, R} <- Ts,
                                  {transactionError, {'ErrorDescriptor', C, _}} <- [element(4, R)]]
                        ++ [C || {transactionReply, R} <- Ts, {actionReplies, ARs} <- [element(4, R)],
                                 {'ActionReply', _, {'ErrorDescriptor', C, _}, _, _} <- ARs],
                    io:format("SYNTAXERROR txn=~b decoded=ok version=~b error=~s~n", [Txn, RV, flat(first(Codes))]);
                Other ->
                    io:format("DECODEFAIL txn=~b reason=~s~n", [Txn, flat(Other)])
            end
    end.

receive_reply(Mod, V, S, Txn) ->
    case gen_udp:recv(S, 0, 3000) of
        {error, timeout} ->
            io:format("NOREPLY txn=~b~n", [Txn]), halt(4);
        {ok, {_, _, Bin}} ->
            io:format(standard_error, "<<< ~s~n", [Bin]),
            case Mod:decode_message([], V, Bin) of
                {ok, {'MegacoMessage', _, {'Message', RV, _Mid, Body}}} ->
                    case body(Txn, Body) of
                        pending -> receive_reply(Mod, V, S, Txn);
                        Actions ->
                            io:format("REPLY txn=~b decoded=ok version=~b~n", [Txn, RV]),
                            report(Txn, Actions),
                            Actions
                    end;
                Other ->
                    io:format("DECODEFAIL txn=~b reason=~s~n", [Txn, flat(Other)]),
                    []
            end
    end.

body(Txn, {messageError, {'ErrorDescriptor', Code, _}}) ->
    io:format("MESSAGEERROR txn=~b error=~b~n", [Txn, Code]), [];
body(Txn, {transactions, Ts}) ->
    case [element(4, R) || {transactionReply, R} <- Ts, element(2, R) =:= Txn] of
        [{actionReplies, ARs}] -> [action_reply(AR) || AR <- ARs];
        [{transactionError, {'ErrorDescriptor', Code, _}}] ->
            io:format("TRANSACTIONERROR txn=~b error=~b~n", [Txn, Code]), [];
        [] -> pending
    end.

action_reply({'ActionReply', Ctx, Err, _ContextReply, Cmds}) ->
    {Ctx, err(Err), [command_reply(C) || C <- Cmds]}.

command_reply({Kind, {'AmmsReply', [TermId | _], asn1_NOVALUE}}) ->
    {Kind, term(TermId), "-", [], "-"};
command_reply({Kind, {'AmmsReply', [TermId | _], Descs}}) ->
    {Kind, term(TermId), local_port(Descs), stats(Descs),
     first([Code || {errorDescriptor, {'ErrorDescriptor', Code, _}} <- Descs])};
command_reply({Kind, {auditResult, {'AuditResult', TermId, Params}}}) ->
    {Kind, term(TermId), local_port(Params), stats(Params),
     first([Code || {errorDescriptor, {'ErrorDescriptor', Code, _}} <- Params])};
command_reply({Kind, {error, {'ErrorDescriptor', Code, _}}}) ->
    {Kind, "-", "-", [], Code};
command_reply(Other) ->
    {element(1, Other), "?", "-", [], "-"}.

err(asn1_NOVALUE) -> "-";
err({'ErrorDescriptor', Code, _}) -> Code.

first([X | _]) -> X;
first([]) -> "-".

term({megaco_term_id, _, Levels}) -> string:join(Levels, "/").

local_port(Descs) ->
    Ports = [port_of(Parms) || {mediaDescriptor, {'MediaDescriptor', _, Streams}} <- Descs,
                               {'StreamParms', _, {'LocalRemoteDescriptor', [Parms | _]}, _} <- stream_parms(Streams)],
    first([P || P <- Ports, P =/= "-"]).

stream_parms({multiStream, SDs}) -> [P || {'StreamDescriptor', _, P} <- SDs];
stream_parms({oneStream, P}) -> [P];
stream_parms(_) -> [].

port_of(Parms) ->
    case [Val || {'PropertyParm', "m", [Val | _], _} <- Parms] of
        [M | _] -> case string:lexemes(M, " ") of [_, P | _] -> P; _ -> "-" end;
        [] -> "-"
    end.

stats(Descs) ->
    [Name ++ ":" ++ string:join(Vals, ";") || {statisticsDescriptor, Ps} <- Descs,
                                            {'StatisticsParameter', Name, Vals} <- Ps]
    ++ ["package:" ++ Name ++ "-" ++ integer_to_list(Ver) || {packagesDescriptor, Items} <- Descs,
                                                             {'PackagesItem', Name, Ver} <- Items].

report(Txn, Actions) ->
    lists:foreach(
      fun({Ctx, Err, Cmds}) ->
              io:format("ACTION txn=~b ctx=~b error=~s~n", [Txn, Ctx, flat(Err)]),
              [io:format("CMD txn=~b ctx=~b cmd=~s term=~s localport=~s stats=~s error=~s~n",
                         [Txn, Ctx, Kind, T, P, case St of [] -> "-"; _ -> string:join(St, ",") end, flat(E)])
               || {Kind, T, P, St, E} <- Cmds]
      end, Actions).

flat(X) when is_list(X) -> X;
flat(X) when is_integer(X) -> integer_to_list(X);
flat(X) -> lists:flatten(string:replace(lists:flatten(io_lib:format("~0p", [X])), " ", "_", all)).
