package dev.agenttasks.providers;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.agenttasks.config.Config;
import dev.agenttasks.domain.port.LlmClient;
import dev.agenttasks.domain.port.LlmException;
import dev.agenttasks.domain.port.LlmRequest;
import dev.agenttasks.domain.port.LlmResponse;
import dev.agenttasks.domain.task.TokenUsage;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClientBuilder;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.StopReason;
import software.amazon.awssdk.services.bedrockruntime.model.SystemContentBlock;

/**
 * Chat completions on Amazon Bedrock's Converse API ({@code POST /model/{modelId}/converse}) through the AWS SDK v2.
 * One HTTP call per {@link #complete}: the SDK's retries are off (the worker owns retries) and each call's timeout is
 * the request's. Failures are classified by {@link BedrockErrorClassifier}.
 *
 * <p>System messages go in Converse's {@code system} field; consecutive messages of the same role are merged into one
 * message of several text blocks, since Converse wants the roles to alternate. Converse names no model in its answer,
 * so the response carries the requested model id.
 */
public final class BedrockConverseClient implements LlmClient {

    public static final String PROVIDER = "bedrock";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = OpenAiCompatibleClient.DEFAULT_CONNECT_TIMEOUT;
    /** A 2xx answer with no text: Bedrock or a proxy cut it short; sending it again usually works. */
    public static final String CODE_BAD_RESPONSE = OpenAiCompatibleClient.CODE_BAD_RESPONSE;
    /** The answer was withheld by a content filter or guardrail: the same request would be withheld again. */
    public static final String CODE_CONTENT_FILTERED = "content_filtered";

    private final BedrockRuntimeClient bedrock;
    private final BedrockErrorClassifier classifier;

    public BedrockConverseClient(BedrockRuntimeClient bedrock, BedrockErrorClassifier classifier) {
        this.bedrock = Objects.requireNonNull(bedrock, "bedrock");
        this.classifier = Objects.requireNonNull(classifier, "classifier");
    }

    /**
     * The client the configuration describes: {@code AWS_REGION}, the environment's credentials (or the SDK's default
     * chain), {@code BEDROCK_ENDPOINT_URL} if set, the URLConnection HTTP client with a read timeout of
     * {@code LLM_TIMEOUT_MS}, and no SDK retries.
     */
    public static BedrockConverseClient fromConfig(Config config) {
        BedrockRuntimeClientBuilder builder = BedrockRuntimeClient.builder()
                .region(Region.of(config.awsRegion()))
                .credentialsProvider(credentials(config));
        config.bedrockEndpointUrl().ifPresent(builder::endpointOverride);
        return new BedrockConverseClient(build(builder, config.llmTimeout()), BedrockErrorClassifier.systemClock());
    }

    /** A client against {@code endpoint} with fixed credentials: for stand-ins of the Converse endpoint. */
    public static BedrockConverseClient forEndpoint(URI endpoint, String region, AwsCredentialsProvider credentials,
                                                    Duration maxCallTimeout) {
        return new BedrockConverseClient(build(BedrockRuntimeClient.builder().endpointOverride(endpoint)
                .region(Region.of(region)).credentialsProvider(credentials), maxCallTimeout),
                BedrockErrorClassifier.systemClock());
    }

    private static BedrockRuntimeClient build(BedrockRuntimeClientBuilder builder, Duration maxCallTimeout) {
        Duration connectTimeout = maxCallTimeout.compareTo(DEFAULT_CONNECT_TIMEOUT) < 0 ? maxCallTimeout : DEFAULT_CONNECT_TIMEOUT;
        return builder
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(connectTimeout)
                        .socketTimeout(maxCallTimeout)
                        .build())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(AwsRetryStrategy.doNotRetry())
                        .build())
                .build();
    }

    private static AwsCredentialsProvider credentials(Config config) {
        return config.credentials()
                .<AwsCredentialsProvider>map(c -> StaticCredentialsProvider.create(c.sessionToken().isPresent()
                        ? AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken().get())
                        : AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
                .orElseGet(() -> DefaultCredentialsProvider.builder().build());
    }

    @Override
    public LlmResponse complete(LlmRequest request) {
        if (request.timeout().isZero() || request.timeout().isNegative()) {
            throw LlmException.transientError(BedrockErrorClassifier.CODE_TIMEOUT,
                    PROVIDER + " call not sent: no time left (timeout " + request.timeout() + ")", null);
        }
        ConverseResponse response;
        try {
            response = bedrock.converse(converseRequest(request));
        } catch (SdkException e) {
            throw classifier.classify(e);
        }
        return answer(response, request.model());
    }

    @Override
    public String provider() {
        return PROVIDER;
    }

    private static ConverseRequest converseRequest(LlmRequest request) {
        List<SystemContentBlock> system = new ArrayList<>();
        List<Message> messages = new ArrayList<>();
        ConversationRole role = null;
        List<ContentBlock> blocks = new ArrayList<>();
        for (LlmRequest.ChatMessage message : request.messages()) {
            if ("system".equals(message.role())) {
                system.add(SystemContentBlock.fromText(message.content()));
                continue;
            }
            ConversationRole next = "assistant".equals(message.role()) ? ConversationRole.ASSISTANT : ConversationRole.USER;
            if (role != null && next != role) {
                messages.add(Message.builder().role(role).content(blocks).build());
                blocks = new ArrayList<>();
            }
            role = next;
            blocks.add(ContentBlock.fromText(message.content()));
        }
        if (role != null) {
            messages.add(Message.builder().role(role).content(blocks).build());
        }
        Duration timeout = request.timeout();
        ConverseRequest.Builder converse = ConverseRequest.builder()
                .modelId(request.model())
                .messages(messages)
                .inferenceConfig(c -> c.maxTokens(request.maxTokens()))
                .overrideConfiguration(o -> o.apiCallTimeout(timeout).apiCallAttemptTimeout(timeout));
        if (!system.isEmpty()) {
            converse.system(system);
        }
        return converse.build();
    }

    private static LlmResponse answer(ConverseResponse response, String model) {
        StringBuilder text = new StringBuilder();
        Optional.ofNullable(response.output()).map(o -> o.message()).ifPresent(message -> {
            for (ContentBlock block : message.content()) {
                if (block.text() != null) {
                    text.append(block.text());
                }
            }
        });
        StopReason stop = response.stopReason();
        if (text.length() == 0) {
            if (stop == StopReason.CONTENT_FILTERED || stop == StopReason.GUARDRAIL_INTERVENED) {
                throw new LlmException(LlmException.Kind.PERMANENT, CODE_CONTENT_FILTERED,
                        PROVIDER + " withheld the answer (stopReason " + response.stopReasonAsString() + ")", 200, null, null);
            }
            throw new LlmException(LlmException.Kind.TRANSIENT, CODE_BAD_RESPONSE, PROVIDER
                    + " returned HTTP 200 with no text in output.message.content (stopReason "
                    + response.stopReasonAsString() + ")", 200, null, null);
        }
        TokenUsage usage = response.usage() == null ? TokenUsage.NONE : new TokenUsage(
                orZero(response.usage().inputTokens()), orZero(response.usage().outputTokens()));
        return new LlmResponse(text.toString(), model, usage);
    }

    private static long orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
