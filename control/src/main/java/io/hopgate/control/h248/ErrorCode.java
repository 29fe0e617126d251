package io.hopgate.control.h248;

/**
 * H.248 error codes with their H.248.8 names. {@link #text()} is the standard wording; an Error
 * descriptor on the wire should add the cause, e.g. {@code 430 "Unknown TerminationID: rtp/9"}.
 */
public enum ErrorCode {
    /** 400 Syntax error in message. */
    SYNTAX_ERROR_IN_MESSAGE(400, "Syntax error in message"),
    /** 401 Protocol error. */
    PROTOCOL_ERROR(401, "Protocol error"),
    /** 402 Unauthorized. */
    UNAUTHORIZED(402, "Unauthorized"),
    /** 403 Syntax error in transaction request. */
    SYNTAX_ERROR_IN_TRANSACTION_REQUEST(403, "Syntax error in transaction request"),
    /** 406 Version not supported. */
    VERSION_NOT_SUPPORTED(406, "Version not supported"),
    /** 410 Incorrect identifier. */
    INCORRECT_IDENTIFIER(410, "Incorrect identifier"),
    /** 411 The transaction refers to an unknown ContextId. */
    UNKNOWN_CONTEXT_ID(411, "The transaction refers to an unknown ContextId"),
    /** 412 No ContextIDs available. */
    NO_CONTEXT_IDS_AVAILABLE(412, "No ContextIDs available"),
    /** 421 Unknown action or illegal combination of actions. */
    UNKNOWN_ACTION(421, "Unknown action or illegal combination of actions"),
    /** 422 Syntax error in action. */
    SYNTAX_ERROR_IN_ACTION(422, "Syntax error in action"),
    /** 430 Unknown TerminationID. */
    UNKNOWN_TERMINATION_ID(430, "Unknown TerminationID"),
    /** 431 No TerminationID matched a wildcard. */
    NO_TERMINATION_ID_MATCHED_WILDCARD(431, "No TerminationID matched a wildcard"),
    /** 432 Out of TerminationIDs or no TerminationID available. */
    OUT_OF_TERMINATION_IDS(432, "Out of TerminationIDs or no TerminationID available"),
    /** 433 TerminationID is already in a context. */
    TERMINATION_ID_ALREADY_IN_CONTEXT(433, "TerminationID is already in a context"),
    /** 434 Max number of terminations in a context exceeded. */
    MAX_TERMINATIONS_IN_CONTEXT_EXCEEDED(434, "Max number of terminations in a context exceeded"),
    /** 435 Termination ID is not in specified context. */
    TERMINATION_ID_NOT_IN_CONTEXT(435, "Termination ID is not in specified context"),
    /** 440 Unsupported or unknown package. */
    UNSUPPORTED_PACKAGE(440, "Unsupported or unknown package"),
    /** 441 Missing remote or local descriptor. */
    MISSING_REMOTE_OR_LOCAL_DESCRIPTOR(441, "Missing remote or local descriptor"),
    /** 442 Syntax error in command. */
    SYNTAX_ERROR_IN_COMMAND(442, "Syntax error in command"),
    /** 443 Unsupported or unknown command. */
    UNSUPPORTED_COMMAND(443, "Unsupported or unknown command"),
    /** 444 Unsupported or unknown descriptor. */
    UNSUPPORTED_DESCRIPTOR(444, "Unsupported or unknown descriptor"),
    /** 445 Unsupported or unknown property. */
    UNSUPPORTED_PROPERTY(445, "Unsupported or unknown property"),
    /** 446 Unsupported or unknown parameter. */
    UNSUPPORTED_PARAMETER(446, "Unsupported or unknown parameter"),
    /** 447 Descriptor not legal in this command. */
    DESCRIPTOR_NOT_LEGAL_IN_COMMAND(447, "Descriptor not legal in this command"),
    /** 448 Descriptor appears twice in a command. */
    DESCRIPTOR_APPEARS_TWICE(448, "Descriptor appears twice in a command"),
    /** 449 Unsupported or unknown parameter or property value. */
    UNSUPPORTED_VALUE(449, "Unsupported or unknown parameter or property value"),
    /** 450 No such property in this package. */
    NO_SUCH_PROPERTY(450, "No such property in this package"),
    /** 451 No such event in this package. */
    NO_SUCH_EVENT(451, "No such event in this package"),
    /** 452 No such signal in this package. */
    NO_SUCH_SIGNAL(452, "No such signal in this package"),
    /** 453 No such statistic in this package. */
    NO_SUCH_STATISTIC(453, "No such statistic in this package"),
    /** 454 No such parameter value in this package. */
    NO_SUCH_PARAMETER_VALUE(454, "No such parameter value in this package"),
    /** 455 Property illegal in this descriptor. */
    PROPERTY_ILLEGAL_IN_DESCRIPTOR(455, "Property illegal in this descriptor"),
    /** 456 Property appears twice in this descriptor. */
    PROPERTY_APPEARS_TWICE(456, "Property appears twice in this descriptor"),
    /** 471 Implied add for multiplex failure. */
    IMPLIED_ADD_FOR_MULTIPLEX_FAILURE(471, "Implied add for multiplex failure"),
    /** 500 Internal software failure in the MG. */
    INTERNAL_SOFTWARE_FAILURE(500, "Internal software failure in the MG"),
    /** 501 Not implemented. */
    NOT_IMPLEMENTED(501, "Not implemented"),
    /** 502 Not ready. */
    NOT_READY(502, "Not ready"),
    /** 503 Service unavailable. */
    SERVICE_UNAVAILABLE(503, "Service unavailable"),
    /** 504 Command received from unauthorized entity. */
    UNAUTHORIZED_ENTITY(504, "Command received from unauthorized entity"),
    /** 505 Transaction request received before a ServiceChange reply has been received. */
    REQUEST_BEFORE_SERVICE_CHANGE_REPLY(505,
        "Transaction request received before a ServiceChange reply has been received"),
    /** 506 Number of TransactionPendings exceeded. */
    TOO_MANY_TRANSACTION_PENDINGS(506, "Number of TransactionPendings exceeded"),
    /** 510 Insufficient resources. */
    INSUFFICIENT_RESOURCES(510, "Insufficient resources"),
    /** 512 Media Gateway unequipped to detect requested event. */
    CANNOT_DETECT_EVENT(512, "Media Gateway unequipped to detect requested event"),
    /** 513 Media Gateway unequipped to generate requested signal. */
    CANNOT_GENERATE_SIGNAL(513, "Media Gateway unequipped to generate requested signal"),
    /** 514 Media Gateway cannot send the specified announcement. */
    CANNOT_SEND_ANNOUNCEMENT(514, "Media Gateway cannot send the specified announcement"),
    /** 515 Unsupported media type. */
    UNSUPPORTED_MEDIA_TYPE(515, "Unsupported media type"),
    /** 517 Unsupported or invalid mode. */
    UNSUPPORTED_MODE(517, "Unsupported or invalid mode"),
    /** 518 Event buffer full. */
    EVENT_BUFFER_FULL(518, "Event buffer full"),
    /** 519 Out of space to store digit map. */
    OUT_OF_DIGIT_MAP_SPACE(519, "Out of space to store digit map"),
    /** 520 Digit map undefined in the MG. */
    DIGIT_MAP_UNDEFINED(520, "Digit map undefined in the MG"),
    /** 521 Termination is &quot;ServiceChanging&quot;. */
    TERMINATION_SERVICE_CHANGING(521, "Termination is \"ServiceChanging\""),
    /** 526 Insufficient bandwidth. */
    INSUFFICIENT_BANDWIDTH(526, "Insufficient bandwidth"),
    /** 529 Internal hardware failure in MG. */
    INTERNAL_HARDWARE_FAILURE(529, "Internal hardware failure in MG"),
    /** 530 Temporary network failure. */
    TEMPORARY_NETWORK_FAILURE(530, "Temporary network failure"),
    /** 531 Permanent network failure. */
    PERMANENT_NETWORK_FAILURE(531, "Permanent network failure"),
    /** 532 Audited property, statistic, event or signal does not exist. */
    AUDITED_ITEM_DOES_NOT_EXIST(532, "Audited property, statistic, event or signal does not exist"),
    /** 581 Does not exist. */
    DOES_NOT_EXIST(581, "Does not exist");

    private final int code;
    private final String text;

    ErrorCode(int code, String text) {
        this.code = code;
        this.text = text;
    }

    public int code() {
        return code;
    }

    /** The H.248.8 name of the code. */
    public String text() {
        return text;
    }

    /** The constant for {@code code}, or null when H.248.8 (as listed here) has none. */
    public static ErrorCode of(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
