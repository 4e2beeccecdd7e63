package dev.agenttasks.domain.fakes;

import dev.agenttasks.domain.contract.IdempotencyStoreContract;
import dev.agenttasks.domain.port.IdempotencyStore;

class InMemoryIdempotencyStoreTest extends IdempotencyStoreContract {

    @Override
    protected IdempotencyStore newStore() {
        return new InMemoryIdempotencyStore();
    }
}
