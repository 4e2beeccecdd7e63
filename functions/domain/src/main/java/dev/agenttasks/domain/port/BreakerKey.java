package dev.agenttasks.domain.port;

import java.util.Objects;

/** Which circuit breaker: one per provider and model, shared by every worker. */
public record BreakerKey(String provider, String model) {

    public BreakerKey {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        if (provider.isBlank() || model.isBlank()) {
            throw new IllegalArgumentException("a breaker needs a provider and a model, got '" + provider + "', '"
                    + model + "'");
        }
        if (provider.indexOf('#') >= 0) {
            throw new IllegalArgumentException("a provider name cannot contain '#': " + provider);
        }
    }

    public static BreakerKey of(String provider, String model) {
        return new BreakerKey(provider, model);
    }

    /** {@code provider#model}: how logs and the store name the breaker. */
    @Override
    public String toString() {
        return provider + "#" + model;
    }
}
