package dev.agenttasks.json;

import java.io.IOException;
import java.io.Serializable;
import java.util.Optional;

/**
 * A document that is not the JSON a {@link JsonReader} accepts: malformed, over a limit of jackson-core's
 * {@code StreamReadConstraints}, or (strict reading) with a repeated member name or content after the value.
 *
 * <p>{@link #reason()} is jackson-core's own description and may quote the document: pass it on to whoever sent the
 * document, not to a third party.
 */
public final class JsonReadException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Where in the document, 1-based; jackson-core knows no place for some failures (a nesting limit, say). */
    public record Location(int line, int column) implements Serializable {
    }

    private final String reason;
    private final Location location;
    private final String enclosingObject;

    JsonReadException(String reason, Location location, String enclosingObject, Throwable cause) {
        super(reason + (location == null ? "" : " (line " + location.line() + ", column " + location.column() + ")"),
                cause);
        this.reason = reason;
        this.location = location;
        this.enclosingObject = enclosingObject;
    }

    /** What is wrong, without the location. */
    public String reason() {
        return reason;
    }

    public Optional<Location> location() {
        return Optional.ofNullable(location);
    }

    /**
     * The JSON pointer (RFC 6901) of the object whose members were being read when reading failed, when it failed
     * directly inside an object (in a member name, say): {@code ""} for the root object, {@code "/messages/0"} for
     * the first element of the root's {@code messages}. Empty when it failed anywhere else.
     */
    public Optional<String> enclosingObject() {
        return Optional.ofNullable(enclosingObject);
    }
}
