package dev.agenttasks.domain.routing;

/** Where a task goes: the model and the output cap that tier allows. */
public record ModelRoute(String model, int maxTokens, Tier tier) {

    public enum Tier { SIMPLE, STANDARD }
}
