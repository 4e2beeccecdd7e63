package dev.agenttasks.pythontools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Removes the symbolic links a virtual environment holds, so JUnit's temp-dir cleanup has nothing to warn about. */
final class SymbolicLinks {

    private SymbolicLinks() {
    }

    static void deleteUnder(Path directory) {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            List<Path> links = files.filter(Files::isSymbolicLink).toList();
            for (Path link : links) {
                Files.delete(link);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
