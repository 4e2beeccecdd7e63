package dev.agenttasks.config;

/** A missing or malformed setting; the message names the variable. */
public class ConfigurationException extends RuntimeException {
    public ConfigurationException(String message) {
        super(message);
    }
}
