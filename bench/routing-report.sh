#!/usr/bin/env bash
# Routes a workload (JSON Lines, one task a line) and prints each task's tier and reason and the estimated cost
# with routing against every task on the most expensive tier's model. See docs/routing.md, "Routing report".
# Usage: bench/routing-report.sh [workload.jsonl] [--config routing.json]   (default docs/example-workload.jsonl)
#        MVN="mvn -o" bench/routing-report.sh ...   to build offline
set -euo pipefail
cd "$(dirname "$0")/.."
workload=${1:-docs/example-workload.jsonl}
shift || true
${MVN:-mvn} -q -pl functions/domain -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/runtime-classpath.txt -Dmdep.includeScope=runtime >&2
exec java -cp "functions/domain/target/classes:$(cat functions/domain/target/runtime-classpath.txt)" \
  dev.agenttasks.domain.routing.RoutingReport "$workload" "$@"
