package io.hopgate.control.gateway;

import io.hopgate.control.h248.Message;
import io.hopgate.control.h248.MessageParser;

final class MessageParserAccess {
    private MessageParserAccess() {
    }

    static Message parse(String text) {
        return MessageParser.parse(text);
    }
}
