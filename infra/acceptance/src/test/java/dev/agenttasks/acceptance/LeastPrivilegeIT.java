package dev.agenttasks.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import dev.agenttasks.acceptance.PolicyCheck.Call;
import dev.agenttasks.localaws.SharedMotoServer;
import dev.agenttasks.testkit.MotoEnvironment;

/**
 * Each function's IAM policy in template.yaml grants exactly the AWS actions, on exactly the resources, that its
 * code uses: every call the handlers made during this build's integration tests (all modules, recorded by the test
 * kit) plus a {@link ServiceFlow} run here that uses every grant. See {@link PolicyCheck} for the rules.
 *
 * <p>Adding a grant and the code that uses it is a change to template.yaml only: the recorder and the check know
 * DynamoDB tables and indexes, SQS queues, SSM parameters and Bedrock models by the request's own fields.
 */
class LeastPrivilegeIT {

    private static final Path TEMPLATE = SharedMotoServer.findTemplate();
    private static final Path ROOT = TEMPLATE.getParent();
    private static final Map<String, String> JWT_MODE = Map.of("AuthMode", "JWT",
            "JwtIssuer", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example", "JwtAudience", "client");
    private static List<Call> recorded;

    @BeforeAll
    static void runEveryFunctionThenReadEveryRecording() {
        WireMockServer provider = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        provider.start();
        try {
            ServiceFlow.run(MotoEnvironment.fresh(), provider);
        } finally {
            provider.stop();
        }
        recorded = PolicyCheck.recordedCalls(ROOT);
    }

    @Test
    void everyFunctionsPolicyGrantsExactlyWhatItsCodeUsesInBothAuthModes() {
        Set<String> functionsThatCalled = new TreeSet<>();
        Map<String, String> byHandler = PolicyCheck.functionsByHandler(TEMPLATE);
        recorded.forEach(call -> functionsThatCalled.add(byHandler.getOrDefault(call.handler(), call.handler())));
        assertThat(functionsThatCalled).as("every function's calls were recorded")
                .containsAll(PolicyCheck.functionIds(TEMPLATE));

        // Bedrock is called only where the deployment chose it (LlmProvider bedrock grants it).
        List<Call> withoutBedrock = withoutBedrock(recorded);
        assertThat(PolicyCheck.violations(TEMPLATE, Map.of(), withoutBedrock)).isEmpty();
        assertThat(PolicyCheck.violations(TEMPLATE, JWT_MODE, withoutBedrock)).isEmpty();
        // The worker's Bedrock calls are recorded by its own WorkerOnBedrockIT (run before this module); the
        // deployment lists the models its routing names, here the ones those calls used.
        List<String> bedrockModels = recorded.stream().filter(call -> call.action().startsWith("bedrock:"))
                .map(call -> call.resource().substring(call.resource().indexOf("foundation-model/") + "foundation-model/".length()))
                .distinct().toList();
        assumeThat(bedrockModels).as("Bedrock calls recorded (run the worker module's ITs first)").isNotEmpty();
        assertThat(PolicyCheck.violations(TEMPLATE, Map.of("LlmProvider", "bedrock",
                "BedrockModelIds", String.join(",", bedrockModels)), recorded)).isEmpty();
    }

    private static List<Call> withoutBedrock(List<Call> calls) {
        return calls.stream().filter(call -> !call.action().startsWith("bedrock:")).toList();
    }

    @Test
    void aPolicyWidenedByAnActionOrAResourceFailsTheCheck(@TempDir Path dir) throws IOException {
        String original = Files.readString(TEMPLATE);
        String widened = replaceOnce(original, "Action: [dynamodb:GetItem, dynamodb:BatchGetItem, dynamodb:UpdateItem]\n",
                "Action: [dynamodb:GetItem, dynamodb:BatchGetItem, dynamodb:UpdateItem, dynamodb:Scan]\n");
        widened = replaceOnce(widened, "Resource: !Sub ${TasksTable.Arn}/index/active-due",
                "Resource: !Sub ${TasksTable.Arn}/index/*");
        Path copy = Files.writeString(dir.resolve("template.yaml"), widened);

        assertThat(PolicyCheck.violations(copy, Map.of(), withoutBedrock(recorded))).containsExactlyInAnyOrder(
                "StatusFunction grants dynamodb:Scan on arn:aws:dynamodb:us-east-1:123456789012:table/TasksTable,"
                        + " which none of its recorded calls uses",
                "ReconcilerFunction grants dynamodb:Query on arn:aws:dynamodb:us-east-1:123456789012:table/TasksTable/index/*,"
                        + " wider than any resource it uses");
    }

    @Test
    void codeThatStartsUsingAnActionTheTemplateDoesNotGrantFailsTheCheck() {
        List<Call> withAnExtraCall = new ArrayList<>(recorded);
        withAnExtraCall.add(new Call("dev.agenttasks.status.StatusHandler", "dynamodb:DeleteItem",
                "arn:aws:dynamodb:us-east-1:123456789012:table/TasksTable", null));
        withAnExtraCall.add(new Call("dev.agenttasks.worker.WorkerHandler", "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:123456789012:TaskDLQ", null));

        assertThat(PolicyCheck.violations(TEMPLATE, Map.of(), withoutBedrock(withAnExtraCall))).containsExactlyInAnyOrder(
                "StatusFunction calls dynamodb:DeleteItem on arn:aws:dynamodb:us-east-1:123456789012:table/TasksTable,"
                        + " which its policy does not grant",
                "WorkerFunction calls sqs:SendMessage on arn:aws:sqs:us-east-1:123456789012:TaskDLQ,"
                        + " which its policy does not grant");
    }

    @Test
    void aGrantThatNoCodeUsesFailsTheCheck() {
        List<Call> withoutTheStatusReads = withoutBedrock(recorded).stream()
                .filter(call -> !(call.handler().equals("dev.agenttasks.status.StatusHandler")
                        && call.action().equals("dynamodb:GetItem"))).toList();

        assertThat(PolicyCheck.violations(TEMPLATE, Map.of(), withoutTheStatusReads)).containsExactly(
                "StatusFunction grants dynamodb:GetItem on arn:aws:dynamodb:us-east-1:123456789012:table/TasksTable,"
                        + " which none of its recorded calls uses");
    }

    private static String replaceOnce(String text, String target, String replacement) {
        int at = text.indexOf(target);
        assertThat(at).as("template.yaml contains %s", target).isNotNegative();
        assertThat(text.indexOf(target, at + 1)).as("%s appears once", target).isNegative();
        return text.substring(0, at) + replacement + text.substring(at + target.length());
    }
}
