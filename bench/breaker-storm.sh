#!/usr/bin/env bash
# Calls a dead provider gets in its first minute from 1, 4 and 16 worker instances: no breaker, one
# resilience4j CircuitBreaker per instance, and the shared breaker on BreakerTable (moto, started by the
# test kit), with the DynamoDB requests the shared breaker spends; then the healthy path's requests.
# Simulated time; see BreakerStormBenchmark for the call model. Run from the repo root.
# Usage: bench/breaker-storm.sh [seconds]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -o -pl functions/aws -am verify -Pbreaker-bench -DskipTests -Dbreaker.bench.seconds="${1:-60}"
