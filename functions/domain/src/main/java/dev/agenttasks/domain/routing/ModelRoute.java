package dev.agenttasks.domain.routing;

/**
 * Where a single-message task goes: the model, the tier's output cap and the tier's name. What
 * {@link ModelRouter#route(String)} returns to callers that do not yet use {@link RoutingDecision}.
 */
public record ModelRoute(String model, int maxTokens, String tier) {
}
