package dev.agenttasks.domain.fakes;

import dev.agenttasks.domain.port.CircuitBreakerStore;
import dev.agenttasks.domain.port.CircuitBreakerStoreContract;

class InMemoryCircuitBreakerStoreTest extends CircuitBreakerStoreContract {

    @Override
    protected CircuitBreakerStore emptyStore() {
        return new InMemoryCircuitBreakerStore();
    }
}
