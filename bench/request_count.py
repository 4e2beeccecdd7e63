"""AWS requests per task, by operation, counted by a proxy in front of moto while the local stack runs tasks.

Usage: python3 bench/request_count.py [N] [--json FILE]     (after `mvn -B -o -q -DskipTests package`)
The local stack listens on $PORT (default 3100); moto, the proxy, the provider stand-in and the webhook receiver
take free ports. The provider answers at once with an 800-character answer.

Phases, each counted on its own (N tasks each, default 40):
  plain      N tasks without an Idempotency-Key, submitted one after the other, run to complete
  keyed      N tasks, each with its own Idempotency-Key
  replay     the N keyed submissions again, same key and body (answered from the stored task)
  poll       one GET /tasks/{id} of each plain task
  retry      N tasks whose first provider call gets a 503 (one in-invocation retry each): per retry = this - plain
  callback   N tasks with a callback_url, run until each webhook is delivered: per webhook = this - plain
The script waits for outcomes by reading moto directly (not through the proxy), so waiting adds no request.
The functions log JSON lines as in Lambda; the bytes they wrote per task are counted too (for CloudWatch Logs).
ReceiveMessage calls that return no message are the pollers' idle cost, reported per minute, not per task.
"""
import json
import math
import os
import sys
import time
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aws_counting_proxy  # noqa: E402
import benchlib  # noqa: E402


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 40
    json_out = sys.argv[sys.argv.index("--json") + 1] if "--json" in sys.argv else os.path.join(
        benchlib.ROOT, "bench/target/request-count.json")
    port = int(os.environ.get("PORT", "3100"))
    processes = benchlib.Processes()
    try:
        moto = benchlib.start_moto(processes)
        proxy, recorder = aws_counting_proxy.start(0, moto)
        proxy_url = "http://127.0.0.1:%d" % proxy.server_address[1]
        standin = benchlib.start_standin(processes, latency_ms=0, answer_chars=800)
        receiver = benchlib.Receiver()
        benchlib.start_local_stack(processes, proxy_url, standin, port,
                                   {"LOCAL_SCHEDULE_INTERVAL_SECONDS": "3600", "RETRY_BASE_DELAY_MS": "200",
                                    # every retry phase task fails once: keep the breaker closed
                                    "BREAKER_FAILURE_THRESHOLD": "1000",
                                    # log lines as in Lambda (JSON), so their bytes per task can be counted
                                    "JAVA_TOOL_OPTIONS": "-Dagenttasks.log.format=json"})
        stack_log = os.path.join(processes.work, "local-stack.log")
        api = "http://127.0.0.1:%d" % port
        upstream = recorder.upstream
        tables = upstream.dynamodb("ListTables", {})["TableNames"]
        tasks_table = next(t for t in tables if "Tasks" in t)

        def item(task_id):
            got = upstream.dynamodb("GetItem", {"TableName": tasks_table, "Key": {"pk": {"S": "task#" + task_id}},
                                                "ConsistentRead": True})
            return (got or {}).get("Item", {})

        def wait_for(ids, done, timeout=300):
            deadline = time.time() + timeout
            pending = set(ids)
            while pending and time.time() < deadline:
                pending = {i for i in pending if not done(item(i))}
                if pending:
                    time.sleep(0.5)
            if pending:
                raise SystemExit("%d tasks not finished in %d s" % (len(pending), timeout))

        def complete(it):
            return it.get("status", {}).get("S") == "complete"

        def delivered(it):
            return complete(it) and it.get("callback_status", {}).get("S") == "delivered"

        # The first reconciler run (5 s after start) and the stack's start-up are not part of any phase.
        time.sleep(8)
        results = {}

        def phase(name, run, done=complete, settle=1.0):
            print("phase %s" % name, file=sys.stderr, flush=True)
            recorder.records = []
            started = time.time()
            log_from = os.path.getsize(stack_log)
            ids = run()
            if done:
                wait_for(ids, done)
            time.sleep(settle)  # the last batch's delete
            results[name] = {"records": list(recorder.records), "seconds": time.time() - started, "tasks": len(ids),
                             "log_bytes": function_log_bytes(stack_log, log_from)}
            return ids

        def submit(i, text, key=None, extra=None):
            body = dict({"task": text}, **(extra or {}))
            status, answer = benchlib.http("POST", api + "/tasks", body, {"Idempotency-Key": key} if key else None)
            if status not in (200, 202):
                raise SystemExit("submit %d: %s %s" % (i, status, answer))
            return answer["task_id"]

        plain = phase("plain", lambda: [submit(i, "What is request counting %d?" % i) for i in range(n)])
        keyed_body = lambda i: "What is keyed counting %d?" % i  # noqa: E731
        keyed = phase("keyed", lambda: [submit(i, keyed_body(i), key="key-%d" % i) for i in range(n)])
        phase("replay", lambda: [submit(i, keyed_body(i), key="key-%d" % i) for i in range(n)], done=None)
        assert keyed == [submit(i, keyed_body(i), key="key-%d" % i) for i in range(n)], "a replay changed its task"

        def polls():
            for task_id in plain:
                status, _ = benchlib.http("GET", api + "/tasks/" + task_id)
                assert status == 200, status
            return []
        phase("poll", polls, done=None, settle=0)
        phase("retry", lambda: [submit(i, "[503x1] What is a retry %d?" % i) for i in range(n)])
        phase("callback", lambda: [submit(i, "What is a webhook %d?" % i, extra={"callback_url": receiver.url})
                                   for i in range(n)], done=delivered)
        recorder.records = []
        time.sleep(30)
        results["idle"] = {"records": list(recorder.records), "seconds": 30, "tasks": 0, "log_bytes": 0}
        report(results, n, json_out)
    finally:
        processes.stop_all()


def function_log_bytes(stack_log, log_from):
    """Bytes the functions logged since log_from: the local stack's own lines (its event sources' REPORT lines stand
    for Lambda's platform lines, which the cost model prices per invocation) are left out."""
    with open(stack_log, "rb") as f:
        f.seek(log_from)
        return sum(len(line) for line in f if b'"logger":"dev.agenttasks.local.' not in line)


def summarize(records):
    """Counts per service and operation, plus the capacity units and index writes of DynamoDB."""
    ops = Counter()
    detail = defaultdict(float)
    for r in records:
        key = "%s %s" % (r["service"], r["op"])
        if r["service"] == "sqs" and r["op"] == "ReceiveMessage":
            key += " (empty)" if r.get("messages", 0) == 0 else ""
            detail["sqs messages received"] += r.get("messages", 0)
        if r.get("outcome") == "condition_failed":
            key += " (condition failed)"
        ops[key] += 1
        if r["service"] == "dynamodb":
            if r["op"] in aws_counting_proxy.WRITE_OPS:
                detail["dynamodb write requests"] += 1
                detail["dynamodb WRU (table)"] += r.get("wru", 0)
                detail["dynamodb index writes"] += r.get("index_writes", 0)
                detail["dynamodb WRU (indexes)"] += r.get("index_wru", 0)
                detail["dynamodb item bytes written"] += r.get("item_bytes", 0)
            else:
                detail["dynamodb read requests"] += 1
                detail["dynamodb RRU"] += r.get("rru", 0)
        else:
            billable = 0 if r["op"] == "ReceiveMessage" and r.get("messages", 0) == 0 else 1
            detail["sqs requests (with a message)"] += billable
            detail["sqs requests (all)"] += 1
    return ops, detail


def report(results, n, json_out):
    per = {}
    for name, phase in results.items():
        ops, detail = summarize(phase["records"])
        divisor = n if name != "idle" else phase["seconds"] / 60
        detail["log bytes (JSON lines, EMF included)"] = phase["log_bytes"]
        per[name] = {"ops": {k: v / divisor for k, v in ops.items()},
                     "detail": {k: v / divisor for k, v in detail.items()},
                     "seconds": phase["seconds"]}
    # Increments over a plain task: a retry, a webhook.
    for name, base in (("retry", "plain"), ("callback", "plain")):
        keys = set(per[name]["ops"]) | set(per[base]["ops"])
        per[name + " - plain"] = {
            "ops": {k: per[name]["ops"].get(k, 0) - per[base]["ops"].get(k, 0) for k in keys},
            "detail": {k: per[name]["detail"].get(k, 0) - per[base]["detail"].get(k, 0)
                       for k in set(per[name]["detail"]) | set(per[base]["detail"])}}
    os.makedirs(os.path.dirname(json_out), exist_ok=True)
    with open(json_out, "w") as f:
        json.dump({"n": n, "date": time.strftime("%Y-%m-%d"), "per": per}, f, indent=1, sort_keys=True)
    columns = ["plain", "keyed", "replay", "poll", "retry - plain", "callback - plain", "idle"]
    titles = ["per plain task", "per keyed task", "per keyed replay", "per status poll", "per retry",
              "per webhook", "idle, per minute"]
    rows = sorted({k for c in columns for k in per[c]["ops"]})
    print("N = %d tasks per phase, %s\n" % (n, time.strftime("%Y-%m-%d")))
    print("| request | " + " | ".join(titles) + " |")
    print("|---|" + "---|" * len(columns))
    fmt = lambda v: ("%.2f" % v).rstrip("0").rstrip(".") if abs(v) > 1e-9 else "–"  # noqa: E731
    for row in rows:
        print("| %s | %s |" % (row, " | ".join(fmt(per[c]["ops"].get(row, 0)) for c in columns)))
    for row in ["dynamodb write requests", "dynamodb WRU (table)", "dynamodb index writes", "dynamodb WRU (indexes)",
                "dynamodb read requests", "dynamodb RRU", "sqs requests (with a message)", "sqs messages received",
                "log bytes (JSON lines, EMF included)"]:
        print("| **%s** | %s |" % (row, " | ".join(fmt(per[c]["detail"].get(row, 0)) for c in columns)))
    print("\nwritten to %s" % os.path.relpath(json_out, benchlib.ROOT))


if __name__ == "__main__":
    main()
