package io.hopgate.control;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what named loggers write during a test; {@link #close} detaches every appender it added. */
public final class LogCapture implements AutoCloseable {
    private final List<Runnable> detach = new ArrayList<>();

    /** Starts collecting the events of {@code type}'s logger. */
    public ListAppender<ILoggingEvent> capture(Class<?> type) {
        Logger logger = (Logger) LoggerFactory.getLogger(type);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        detach.add(() -> logger.detachAppender(appender));
        return appender;
    }

    @Override
    public void close() {
        detach.forEach(Runnable::run);
        detach.clear();
    }
}
