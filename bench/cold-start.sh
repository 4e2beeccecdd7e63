#!/usr/bin/env bash
# Cold start of each function as a fresh JVM against moto: init (handler construction) + first event.
# Run from the repo root after `mvn -q -DskipTests package`. Prints one JSON line per run and the jar sizes.
# Usage: bench/cold-start.sh [runs-per-function]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
scripts/moto-server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null || true; rm -rf "$work"' EXIT
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
for _ in $(seq 1 100); do curl -sf "$AWS_ENDPOINT_URL/moto-api/" >/dev/null && break; sleep 0.1; done
aws --endpoint-url "$AWS_ENDPOINT_URL" dynamodb create-table --table-name TasksTable --billing-mode PAY_PER_REQUEST \
  --attribute-definitions AttributeName=pk,AttributeType=S --key-schema AttributeName=pk,KeyType=HASH >/dev/null
queue_url=$(aws --endpoint-url "$AWS_ENDPOINT_URL" sqs create-queue --queue-name TaskQueue --query QueueUrl --output text)
export TASKS_TABLE=TasksTable BREAKER_TABLE=BreakerTable TASK_QUEUE_URL="$queue_url" TASK_DLQ_URL="$queue_url"
export LLM_PROVIDER=simulated SIMULATED_LATENCY_MS=0
export JAVA_TOOL_OPTIONS="-XX:+TieredCompilation -XX:TieredStopAtLevel=1"

mkdir -p bench/target
# The harness reads the event files with jackson-databind, its own: the functions' jars carry jackson-core only.
m2=~/.m2/repository/com/fasterxml/jackson/core
harness="$m2/jackson-databind/2.23.0/jackson-databind-2.23.0.jar:$m2/jackson-annotations/2.23/jackson-annotations-2.23.jar"
javac -q -d bench/target -cp "functions/worker/target/worker-function.jar:$harness" bench/ColdStart.java 2>/dev/null \
  || javac -d bench/target -cp "functions/worker/target/worker-function.jar:$harness" bench/ColdStart.java

# A stored task for the status and worker events.
task_id=$(python3 -c 'import secrets; a="abcdefghijklmnopqrstuvwxyz234567"; print("".join(secrets.choice(a) for _ in range(26)))')
now=$(date +%s%3N)
# The owner as IamCaller names it: the role's ARN without the session name, and the role's unique id.
owner=$(python3 -c 'import json,sys; i=json.load(open(sys.argv[1]))["requestContext"]["authorizer"]["iam"]; print("iam:"+i["userArn"].rsplit("/",1)[0]+"|"+i["userId"].split(":")[0])' events/get-task.json)
python3 - "$task_id" "$work" events/get-task.json events/sqs-batch.json events/submit-task.json <<'PY'
import json, sys
task_id, work, get_file, sqs_file, submit_file = sys.argv[1:]
submit = json.load(open(submit_file))
submit["headers"].pop("idempotency-key", None)  # every run creates a task, none replays
json.dump(submit, open(work + "/submit.json", "w"))
e = json.load(open(get_file))
e["pathParameters"] = {"id": task_id}
e["rawPath"] = "/tasks/" + task_id
e["requestContext"]["http"]["path"] = "/tasks/" + task_id
json.dump(e, open(work + "/get.json", "w"))
s = json.load(open(sqs_file))
s["Records"] = s["Records"][:1]
s["Records"][0]["body"] = json.dumps({"taskId": task_id})
json.dump(s, open(work + "/sqs.json", "w"))
PY
put_task() {
  aws --endpoint-url "$AWS_ENDPOINT_URL" dynamodb put-item --table-name TasksTable --item "{\"pk\":{\"S\":\"task#$task_id\"},\"kind\":{\"S\":\"task\"},\"task_id\":{\"S\":\"$task_id\"},\"owner\":{\"S\":\"$owner\"},\"input\":{\"S\":\"What is a cold start?\"},\"status\":{\"S\":\"pending\"},\"created_at\":{\"N\":\"$(date +%s%3N)\"},\"updated_at\":{\"N\":\"$now\"},\"attempts\":{\"N\":\"0\"}}" >/dev/null
}

measure() {
  local name=$1 jar=$2 handler=$3 event_class=$4 event=$5
  for i in $(seq 1 "$runs"); do
    [ "$name" = worker ] && put_task
    start=$(date +%s%3N)
    line=$(java -cp "$jar:bench/target:$harness" ColdStart "$handler" "$event_class" "$event" 2>>"$work/bench.err")
    end=$(date +%s%3N)
    echo "{\"function\":\"$name\",\"run\":$i,\"process_wall_ms\":$((end - start)),${line#\{}"
  done
}
put_task
measure submit functions/submit/target/submit-function.jar dev.agenttasks.submit.SubmitHandler \
  com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent "$work/submit.json"
measure status functions/status/target/status-function.jar dev.agenttasks.status.StatusHandler \
  com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent "$work/get.json"
measure worker functions/worker/target/worker-function.jar dev.agenttasks.worker.WorkerHandler \
  com.amazonaws.services.lambda.runtime.events.SQSEvent "$work/sqs.json"
for jar in functions/*/target/*-function.jar infra/local-stack/target/agent-tasks-local.jar; do
  case "$jar" in */original-*) continue ;; esac
  echo "{\"jar\":\"$jar\",\"bytes\":$(stat -c %s "$jar")}"
done
