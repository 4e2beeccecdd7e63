package dev.agenttasks.aws;

import dev.agenttasks.config.Config;
import dev.agenttasks.domain.contract.IdempotencyStoreContract;
import dev.agenttasks.domain.port.IdempotencyStore;
import dev.agenttasks.testkit.MotoEnvironment;

/** The idempotency store contract against DynamoDB (moto): one conditional write decides each key. */
class DynamoDbIdempotencyStoreIT extends IdempotencyStoreContract {

    @Override
    protected IdempotencyStore newStore() {
        Config config = Config.of(MotoEnvironment.fresh());
        return new DynamoDbIdempotencyStore(new AwsClients(config).dynamoDb(), config.tasksTable());
    }
}
