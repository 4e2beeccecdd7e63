package dev.agenttasks.domain.fakes;

import dev.agenttasks.domain.contract.TaskStoreContract;

class InMemoryTaskStoreTest extends TaskStoreContract {

    @Override
    protected Store newStore() {
        InMemoryTaskStore store = new InMemoryTaskStore();
        return new Store(store, store);
    }
}
