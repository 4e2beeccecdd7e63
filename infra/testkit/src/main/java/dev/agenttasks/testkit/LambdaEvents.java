package dev.agenttasks.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;

import dev.agenttasks.localaws.SharedMotoServer;

/**
 * Loads the sample events in {@code events/} the way the Lambda Java runtime turns an invocation's JSON
 * into the handler's event type (aws-lambda-java-serialization), so tests see what the handler sees in AWS.
 */
public final class LambdaEvents {

    private LambdaEvents() {
    }

    public static <T> T load(String fileName, Class<T> type) {
        PojoSerializer<T> serializer = LambdaEventSerializers.serializerFor(type, LambdaEvents.class.getClassLoader());
        try (InputStream in = Files.newInputStream(file(fileName))) {
            return serializer.fromJson(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code events/<fileName>} of the repository (beside template.yaml). */
    public static Path file(String fileName) {
        return SharedMotoServer.findTemplate().resolveSibling("events").resolve(fileName);
    }
}
