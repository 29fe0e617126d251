#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noshell
%%
%% Decoder for ErlangMegacoReplyTableTest: every line on stdin is "Id HexBytes", one message Hopgate sent.
%% Each is decoded with Erlang/OTP megaco's pretty and compact text decoders (both must accept it) and
%% summarised on stdout, one line per message:
%%   OK Id Version Summary      Summary: space-free, e.g. reply:7:ctx:12:err:-:top:2:cmds:addReply+addReply
%%   FAIL Id Reason
%% Summary items (joined by '|'): msgerr:Code; pending:Txn; reply:Txn:txnerr:Code;
%% reply:Txn then per action ':ctx:C:err:Code|-:top:N:cmds:Kind+Kind' (N = topology triples echoed, '-' none).
%% Exit status: 0, 3 megaco not installed.

main([]) ->
    case code:which(megaco_pretty_text_encoder) of
        non_existing -> io:format("NOMEGACO~n"), halt(3);
        _ -> ok
    end,
    loop(),
    halt(0).

loop() ->
    case io:get_line("") of
        eof -> ok;
        Line ->
            case string:lexemes(string:trim(Line), " ") of
                [Id, Hex] -> decode(Id, hex(Hex));
                _ -> ok
            end,
            loop()
    end.

hex(Hex) -> list_to_binary([list_to_integer([A, B], 16) || <<A, B>> <= list_to_binary(Hex)]).

decode(Id, Bin) ->
    P = megaco_pretty_text_encoder:decode_message([], 1, Bin),
    C = megaco_compact_text_encoder:decode_message([], 1, Bin),
    case {P, C} of
        {{ok, M}, {ok, _}} ->
            {'MegacoMessage', _, {'Message', V, _Mid, Body}} = M,
            io:format("OK ~s ~b ~s~n", [Id, V, summary(Body)]);
        {{ok, _}, Bad} -> io:format("FAIL ~s compact:~s~n", [Id, flat(Bad)]);
        {Bad, _} -> io:format("FAIL ~s pretty:~s~n", [Id, flat(Bad)])
    end.

summary({messageError, {'ErrorDescriptor', Code, _}}) -> "msgerr:" ++ integer_to_list(Code);
summary({transactions, Ts}) -> string:join([transaction(T) || T <- Ts], "|").

transaction({transactionPending, P}) -> "pending:" ++ integer_to_list(element(2, P));
transaction({transactionReply, R}) ->
    Head = "reply:" ++ integer_to_list(element(2, R)),
    case element(4, R) of
        {transactionError, {'ErrorDescriptor', Code, _}} -> Head ++ ":txnerr:" ++ integer_to_list(Code);
        {actionReplies, ARs} -> Head ++ lists:append([action(AR) || AR <- ARs])
    end;
transaction(Other) -> "other:" ++ atom_to_list(element(1, Other)).

action(AR) ->
    Ctx = element(2, AR),
    Err = case element(3, AR) of
              asn1_NOVALUE -> "-";
              {'ErrorDescriptor', Code, _} -> integer_to_list(Code)
          end,
    Top = case element(4, AR) of
              asn1_NOVALUE -> "-";
              CR -> case element(4, CR) of
                        asn1_NOVALUE -> "-";
                        Triples -> integer_to_list(length(Triples))
                    end
          end,
    Cmds = case element(5, AR) of
               L when is_list(L) -> string:join([command(Cmd) || Cmd <- L], "+");
               _ -> "-"
           end,
    ":ctx:" ++ integer_to_list(Ctx) ++ ":err:" ++ Err ++ ":top:" ++ Top ++ ":cmds:" ++ Cmds.

command({Kind, {'AmmsReply', _, Descs}}) when is_list(Descs) -> atom_to_list(Kind) ++ errors(Descs);
command({Kind, {auditResult, {'AuditResult', _, Params}}}) -> atom_to_list(Kind) ++ errors(Params);
command({Kind, {auditResultTermList, _}}) -> atom_to_list(Kind) ++ "List";
command({Kind, {error, {'ErrorDescriptor', Code, _}}}) -> atom_to_list(Kind) ++ "Error" ++ integer_to_list(Code);
command({Kind, {errorDescriptor, {'ErrorDescriptor', Code, _}}}) -> atom_to_list(Kind) ++ "Error" ++ integer_to_list(Code);
command(Other) -> atom_to_list(element(1, Other)).

errors(Descs) ->
    lists:append(["Error" ++ integer_to_list(C) || {errorDescriptor, {'ErrorDescriptor', C, _}} <- Descs]).

flat(X) -> lists:flatten(string:replace(lists:flatten(io_lib:format("~0p", [X])), " ", "_", all)).
