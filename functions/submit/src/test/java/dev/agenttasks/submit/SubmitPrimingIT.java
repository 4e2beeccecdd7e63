package dev.agenttasks.submit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.agenttasks.config.Config;
import dev.agenttasks.testkit.MotoEnvironment;
import dev.agenttasks.wiring.ServiceWiring;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** SubmitHandler's SnapStart priming: it runs the request path before the snapshot without effects. */
class SubmitPrimingIT {

    @Test
    void primingStoresNothingSendsNothingAndNeedsNoNetwork() throws IOException {
        Map<String, String> env = MotoEnvironment.fresh();
        ServiceWiring wiring = new ServiceWiring(Config.of(env), Clock.systemUTC());

        SubmitHandler.prime(wiring);

        var config = wiring.config();
        assertThat(wiring.aws().dynamoDb().scan(b -> b.tableName(config.tasksTable())).count()).isZero();
        for (String queue : new String[] {config.taskQueueUrl(), config.taskDlqUrl().orElseThrow()}) {
            assertThat(wiring.aws().sqs().getQueueAttributes(b -> b.queueUrl(queue)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                    .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).isEqualTo("0");
        }

        Map<String, String> offline = new HashMap<>(env);
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            offline.put("AWS_ENDPOINT_URL", "http://127.0.0.1:" + socket.getLocalPort());
        }   // nothing listens there any more
        SubmitHandler.prime(new ServiceWiring(Config.of(offline), Clock.systemUTC()));
    }
}
