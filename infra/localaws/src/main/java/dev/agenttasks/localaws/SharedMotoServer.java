package dev.agenttasks.localaws;

import java.nio.file.Path;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * One moto server per JVM for tests: started on first use, stopped by a shutdown hook.
 * {@link #freshResources()} resets it and provisions what template.yaml declares.
 */
public final class SharedMotoServer {

    private static MotoServer server;

    private SharedMotoServer() {
    }

    public static synchronized MotoServer get() {
        if (server == null) {
            MotoServer started = MotoServer.start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "moto-server-stop"));
            server = started;
        }
        return server;
    }

    /** Resets moto and creates the template's tables and queues. */
    public static LocalResources freshResources() {
        MotoServer moto = get();
        moto.reset();
        try (DynamoDbClient dynamoDb = LocalAws.dynamoDb(moto.endpoint()); SqsClient sqs = LocalAws.sqs(moto.endpoint())) {
            return new LocalProvisioner(dynamoDb, sqs, "").provision(SamTemplate.load(findTemplate()));
        }
    }

    /** template.yaml in the working directory or the nearest parent that has one. */
    public static Path findTemplate() {
        return SamTemplate.locate(Path.of("")).orElseThrow(() -> new IllegalStateException(
                "template.yaml not found in " + Path.of("").toAbsolutePath() + " or above"));
    }
}
