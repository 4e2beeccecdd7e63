package dev.agenttasks.lambda.logging;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J backend of every function and of the local stack (registered in
 * {@code META-INF/services/org.slf4j.spi.SLF4JServiceProvider}): one line per event on standard output, JSON inside
 * Lambda and plain text elsewhere ({@link LogFormat}), at the level {@code LOG_LEVEL} names ({@link LogSettings}).
 * In place of Log4j2, whose start took 0.6–1.2 s to the first line and 2.6 MB of each jar (docs/observability.md,
 * "Logs").
 */
public final class StdoutLoggingProvider implements SLF4JServiceProvider {

    private final PerThreadMdc mdc = new PerThreadMdc();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private volatile StdoutLoggerFactory loggers;

    @Override
    public void initialize() {
        LogSettings settings = LogSettings.fromEnvironment();
        loggers = new StdoutLoggerFactory(settings, mdc);
        settings.problem().ifPresent(problem -> loggers.getLogger(StdoutLoggingProvider.class.getName()).warn(problem));
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }
}
