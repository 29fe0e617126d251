package io.hopgate.control.sip;

import gov.nist.core.CommonLogger;
import gov.nist.core.ServerLogger;
import gov.nist.core.StackLogger;
import gov.nist.javax.sip.message.SIPMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.SipStack;
import java.util.Properties;

/**
 * Routes the JAIN-SIP stack's own logging to SLF4J. The stack's default loggers call log4j 1.x, which is not
 * (and should not be) on our class path; {@link #install()} points the stack's static logger at SLF4J before
 * the first stack is created, and the stack properties name these classes for the per-stack loggers.
 */
final class SipStackLoggers {
    private static final Logger LOG = LoggerFactory.getLogger("io.hopgate.control.sip.stack");

    private SipStackLoggers() {
    }

    /** Must run before any JAIN-SIP class asks CommonLogger for a logger; idempotent. */
    static synchronized void install() {
        if (!(CommonLogger.legacyLogger instanceof Stack)) {
            CommonLogger.legacyLogger = new Stack();
            CommonLogger.useLegacyLogger = true;
        }
    }

    static void configure(Properties properties) {
        properties.setProperty("gov.nist.javax.sip.STACK_LOGGER", Stack.class.getName());
        properties.setProperty("gov.nist.javax.sip.SERVER_LOGGER", Messages.class.getName());
    }

    /** Stack diagnostics at the SLF4J levels they mean; trace and debug only when enabled. */
    public static final class Stack implements StackLogger {
        @Override
        public void logStackTrace() {
        }

        @Override
        public void logStackTrace(int traceLevel) {
        }

        @Override
        public int getLineCount() {
            return 0;
        }

        @Override
        public void logException(Throwable ex) {
            LOG.warn("sip stack exception", ex);
        }

        @Override
        public void logDebug(String message) {
            LOG.debug(message);
        }

        @Override
        public void logDebug(String message, Exception ex) {
            LOG.debug(message, ex);
        }

        @Override
        public void logTrace(String message) {
            LOG.trace(message);
        }

        @Override
        public void logFatalError(String message) {
            LOG.error(message);
        }

        @Override
        public void logError(String message) {
            LOG.error(message);
        }

        @Override
        public boolean isLoggingEnabled() {
            return LOG.isDebugEnabled();
        }

        @Override
        public boolean isLoggingEnabled(int logLevel) {
            // LogLevels: TRACE_TRACE=32, TRACE_DEBUG=32, TRACE_INFO=16, TRACE_WARN=8, TRACE_ERROR=4, TRACE_FATAL=2
            if (logLevel >= TRACE_DEBUG) {
                return LOG.isDebugEnabled();
            }
            if (logLevel >= TRACE_INFO) {
                return LOG.isInfoEnabled();
            }
            return true;
        }

        @Override
        public void logError(String message, Exception ex) {
            LOG.error(message, ex);
        }

        @Override
        public void logWarning(String message) {
            // The stack warns at every start about TLS defaults for a transport we never open: debug, not warn.
            LOG.debug(message);
        }

        @Override
        public void logInfo(String message) {
            LOG.debug(message);
        }

        @Override
        public void disableLogging() {
        }

        @Override
        public void enableLogging() {
        }

        @Override
        public void setBuildTimeStamp(String buildTimeStamp) {
        }

        @Override
        public void setStackProperties(Properties stackProperties) {
        }

        @Override
        public String getLoggerName() {
            return LOG.getName();
        }
    }

    /** Every SIP message in and out, at TRACE on {@code io.hopgate.control.sip.wire}. */
    public static final class Messages implements ServerLogger {
        private static final Logger WIRE = LoggerFactory.getLogger("io.hopgate.control.sip.wire");

        @Override
        public void closeLogFile() {
        }

        @Override
        public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
            log(message, from, to, sender);
        }

        @Override
        public void logMessage(SIPMessage message, String from, String to, String status, boolean sender,
                               long time) {
            log(message, from, to, sender);
        }

        @Override
        public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {
            log(message, from, to, sender);
        }

        private static void log(SIPMessage message, String from, String to, boolean sender) {
            if (WIRE.isTraceEnabled()) {
                WIRE.trace("{} from={} to={}\n{}", sender ? "sent" : "received", from, to, message);
            }
        }

        @Override
        public void logException(Exception ex) {
            LOG.debug("sip stack", ex);
        }

        @Override
        public void setStackProperties(Properties stackProperties) {
        }

        @Override
        public void setSipStack(SipStack sipStack) {
        }
    }
}
