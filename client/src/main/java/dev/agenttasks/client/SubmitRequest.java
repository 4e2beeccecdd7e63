package dev.agenttasks.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A task to submit: {@code SubmitRequest.builder("Summarise RFC 9457.").maxTokens(256).build()}.
 *
 * <p>Without an {@link Builder#idempotencyKey idempotency key} the client generates one per
 * {@link AgentTasksClient#submit submit} call and sends it with every retry of that call, so a retry never
 * makes a second task. Set your own key when the same logical request may be sent again by another call
 * (e.g. after your process restarts): the server then answers with the task the key already made.
 */
public final class SubmitRequest {

    /** The longest {@code Prefer: wait} the API honours, in seconds. */
    public static final int MAX_WAIT_SECONDS = 20;

    /** A conversation turn for {@code messages}. */
    public record Message(String role, String content) {
        public Message {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(content, "content");
        }

        public static Message user(String content) {
            return new Message("user", content);
        }

        public static Message assistant(String content) {
            return new Message("assistant", content);
        }
    }

    private final String task;
    private final Optional<String> system;
    private final List<Message> messages;
    private final Optional<String> tier;
    private final Optional<Integer> maxTokens;
    private final Optional<Integer> maxTotalTokens;
    private final Optional<URI> callbackUrl;
    private final Optional<String> idempotencyKey;
    private final Optional<Duration> waitUpTo;

    private SubmitRequest(Builder builder) {
        this.task = builder.task;
        this.system = Optional.ofNullable(builder.system);
        this.messages = List.copyOf(builder.messages);
        this.tier = Optional.ofNullable(builder.tier);
        this.maxTokens = Optional.ofNullable(builder.maxTokens);
        this.maxTotalTokens = Optional.ofNullable(builder.maxTotalTokens);
        this.callbackUrl = Optional.ofNullable(builder.callbackUrl);
        this.idempotencyKey = Optional.ofNullable(builder.idempotencyKey);
        this.waitUpTo = Optional.ofNullable(builder.waitUpTo);
    }

    public static Builder builder(String task) {
        return new Builder(task);
    }

    public static SubmitRequest of(String task) {
        return builder(task).build();
    }

    public String task() {
        return task;
    }

    public Optional<String> system() {
        return system;
    }

    public List<Message> messages() {
        return messages;
    }

    public Optional<String> tier() {
        return tier;
    }

    public Optional<Integer> maxTokens() {
        return maxTokens;
    }

    public Optional<Integer> maxTotalTokens() {
        return maxTotalTokens;
    }

    public Optional<URI> callbackUrl() {
        return callbackUrl;
    }

    public Optional<String> idempotencyKey() {
        return idempotencyKey;
    }

    /** How long the server may hold the answer for the task to finish ({@code Prefer: wait}), if at all. */
    public Optional<Duration> waitUpTo() {
        return waitUpTo;
    }

    /** Builds a {@link SubmitRequest}; the server checks the values and answers 422 for bad ones. */
    public static final class Builder {
        private final String task;
        private String system;
        private final List<Message> messages = new ArrayList<>();
        private String tier;
        private Integer maxTokens;
        private Integer maxTotalTokens;
        private URI callbackUrl;
        private String idempotencyKey;
        private Duration waitUpTo;

        private Builder(String task) {
            this.task = Objects.requireNonNull(task, "task");
        }

        /** A system prompt. */
        public Builder system(String value) {
            this.system = value;
            return this;
        }

        /** Earlier turns of a conversation, oldest first. */
        public Builder messages(List<Message> value) {
            messages.clear();
            messages.addAll(value);
            return this;
        }

        /** A model tier the deployment defines. */
        public Builder tier(String value) {
            this.tier = value;
            return this;
        }

        public Builder maxTokens(int value) {
            this.maxTokens = value;
            return this;
        }

        /** A token budget across all of the task's provider calls. */
        public Builder maxTotalTokens(int value) {
            this.maxTotalTokens = value;
            return this;
        }

        /** Where the server POSTs the final task view (a signed webhook; see {@link WebhookVerifier}). */
        public Builder callbackUrl(URI value) {
            this.callbackUrl = value;
            return this;
        }

        /**
         * The idempotency key: 1 to 255 printable ASCII characters, without a double quote or a backslash and not
         * starting or ending with a space (the API would read such a key differently).
         *
         * @throws IllegalArgumentException for another key
         */
        public Builder idempotencyKey(String value) {
            this.idempotencyKey = IdempotencyKeys.check(value);
            return this;
        }

        /**
         * Lets the server hold the answer up to {@code value} (1 to 20 s, rounded down to whole seconds; longer is
         * 20 s) for the task to finish: the answer is then its final view. A server that does not support it
         * answers at once, as without it.
         */
        public Builder waitUpTo(Duration value) {
            if (value.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("waitUpTo must be at least 1 second, got " + value);
            }
            this.waitUpTo = value.compareTo(Duration.ofSeconds(MAX_WAIT_SECONDS)) > 0
                    ? Duration.ofSeconds(MAX_WAIT_SECONDS) : Duration.ofSeconds(value.toSeconds());
            return this;
        }

        public SubmitRequest build() {
            return new SubmitRequest(this);
        }
    }
}
