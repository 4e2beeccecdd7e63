package dev.agenttasks.acceptance;

import java.util.Map;

import dev.agenttasks.testkit.MotoEnvironment;

/** {@link ServiceFlowContract} against moto server (always runs). */
class MotoServiceFlowIT extends ServiceFlowContract {

    @Override
    Map<String, String> awsEnvironment() {
        return MotoEnvironment.fresh();
    }
}
