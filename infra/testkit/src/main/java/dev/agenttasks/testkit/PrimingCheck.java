package dev.agenttasks.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.agenttasks.localaws.LocalAws;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** A handler's SnapStart priming, checked against moto: it stores nothing, sends nothing and needs no network. */
public final class PrimingCheck {

    private PrimingCheck() {
    }

    /**
     * Runs {@code prime} (the handler's priming, wired from the given environment) against a fresh moto, checks
     * that the tasks table and both task queues are still empty, then runs it again with an AWS endpoint where
     * nothing listens.
     *
     * @throws AssertionError when priming left an item or a message behind
     */
    public static void primesWithoutEffects(Consumer<Map<String, String>> prime) throws IOException {
        Map<String, String> env = MotoEnvironment.fresh();
        prime.accept(env);

        URI endpoint = URI.create(env.get("AWS_ENDPOINT_URL"));
        try (DynamoDbClient dynamoDb = LocalAws.dynamoDb(endpoint); SqsClient sqs = LocalAws.sqs(endpoint)) {
            int items = dynamoDb.scan(b -> b.tableName(env.get("TASKS_TABLE"))).count();
            if (items != 0) {
                throw new AssertionError("priming stored " + items + " item(s) in " + env.get("TASKS_TABLE"));
            }
            for (String queue : List.of(env.get("TASK_QUEUE_URL"), env.get("TASK_DLQ_URL"))) {
                String messages = sqs.getQueueAttributes(b -> b.queueUrl(queue)
                        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                        .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
                if (!"0".equals(messages)) {
                    throw new AssertionError("priming left " + messages + " message(s) on " + queue);
                }
            }
        }

        Map<String, String> offline = new HashMap<>(env);
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            offline.put("AWS_ENDPOINT_URL", "http://127.0.0.1:" + socket.getLocalPort());
        }   // nothing listens there any more
        prime.accept(offline);
    }
}
