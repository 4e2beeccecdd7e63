#!/usr/bin/env bash
# kill -9 of the whole local stack while 20 tasks are running, moto surviving; then a restart.
# Prints how many were running at the kill, how long the restart took to complete them all, and the
# provider calls per task. Default settings (60 s lease, reconciler every minute). Run from the repo
# root after `mvn -q -DskipTests package`. Uses ports 5055 (moto), 8766 (stand-in) and 3960 (stack).
# MOTO_SERVER=moto_server runs it against plain moto instead of scripts/moto-server.
set -u
cd "$(dirname "$0")/.."
work=$(mktemp -d)
${MOTO_SERVER:-scripts/moto-server} -H 127.0.0.1 -p 5055 >"$work/moto.log" 2>&1 & moto=$!
python3 bench/provider_standin.py 8766 8 >"$work/standin.log" 2>&1 & standin=$!
stack=""
trap 'kill $moto $standin $stack 2>/dev/null; rm -rf "$work"' EXIT
env="PORT=3960 AWS_ENDPOINT_URL=http://127.0.0.1:5055 LLM_PROVIDER=openai LLM_BASE_URL=http://127.0.0.1:8766/v1 LLM_API_KEY=x"
count() { python3 -c '
import json, sys, urllib.request
print(sum(json.load(urllib.request.urlopen("http://localhost:3960/tasks/" + i))["status"] == sys.argv[1] for i in sys.argv[2:]))' "$1" $ids; }
healthy() { for _ in $(seq 1 120); do curl -sf localhost:3960/health >/dev/null && return; sleep 0.5; done; echo "stack did not start" >&2; exit 1; }

env $env java -jar infra/local-stack/target/agent-tasks-local.jar >"$work/first.log" 2>&1 & stack=$!
healthy
ids=""
for i in $(seq 1 20); do
  ids="$ids $(curl -s -X POST localhost:3960/tasks -H 'content-type: application/json' \
    -d "{\"task\":\"[slow] Explain topic $i in depth please\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["task_id"])')"
done
for _ in $(seq 1 60); do [ "$(count running)" -eq 20 ] && break; sleep 0.5; done
echo "running at the kill: $(count running)"
kill -9 $stack; wait $stack 2>/dev/null
start=$(date +%s)
env $env java -jar infra/local-stack/target/agent-tasks-local.jar >"$work/second.log" 2>&1 & stack=$!
healthy
for _ in $(seq 1 400); do [ "$(count complete)" -eq 20 ] && break; sleep 1; done
echo "complete after the restart: $(count complete) of 20 in $(( $(date +%s) - start )) s"
curl -s localhost:8766/ | python3 -c '
import collections, json, sys
calls = collections.Counter(c["task"] for c in json.load(sys.stdin))
print("provider calls per task:", dict(collections.Counter(calls.values())), "max", max(calls.values()))'
