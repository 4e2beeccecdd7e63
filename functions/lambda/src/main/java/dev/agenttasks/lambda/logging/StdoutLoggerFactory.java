package dev.agenttasks.lambda.logging;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;

/** One {@link StdoutLogger} per name, each with its level from the {@link LogSettings}. */
final class StdoutLoggerFactory implements ILoggerFactory {

    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
    private final LogSettings settings;
    private final LineLayout layout;
    private final PerThreadMdc mdc;

    StdoutLoggerFactory(LogSettings settings, PerThreadMdc mdc) {
        this.settings = settings;
        this.layout = LineLayout.of(settings.format());
        this.mdc = mdc;
    }

    @Override
    public Logger getLogger(String name) {
        return loggers.computeIfAbsent(name, n -> new StdoutLogger(n, settings.levelOf(n), layout, mdc));
    }
}
