"""A load run through the local stack, with moto's own ceiling measured beside it.

Usage: python3 bench/load.py [SECONDS] [--json FILE]    (after `mvn -B -o -q -DskipTests package`; default 20 s)
The local stack listens on $PORT (default 3100) against moto (scripts/moto-server, DynamoDB requests serialized)
through the counting proxy (bench/aws_counting_proxy.py, without item sizes); the provider stand-in answers after
2 s, the provider wait the cost model assumes. Three parts:

  ceiling    8 threads send what a submission needs (a conditional PutItem of a task-sized item and a SendMessage)
             straight to moto, as fast as it answers: the most submissions per second moto allows here
  burst      8 threads POST /tasks back to back for SECONDS: submit latency p50/p99 and accepted tasks per second
  steady     4 tasks per second for 2×SECONDS, then until all are complete: the worker's invocations (each batch's
             ReceiveMessage to its DeleteMessageBatch, seen by the proxy), tasks per invocation and GB-s per task at
             the template's 1024 MB, beside one task per invocation; then one GET /tasks/{id} of 80 of them
"""
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aws_counting_proxy  # noqa: E402
import benchlib  # noqa: E402

THREADS = 8
STEADY_RATE = 4
PROVIDER_WAIT_MS = 2000


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def closed_loop(seconds, threads, call):
    latencies, errors = [], []
    lock = threading.Lock()
    end = time.time() + seconds

    def run():
        while time.time() < end:
            started = time.time()
            try:
                call()
                with lock:
                    latencies.append((time.time() - started) * 1000)
            except Exception as e:  # noqa: BLE001 - counted and reported
                with lock:
                    errors.append(repr(e))
    workers = [threading.Thread(target=run) for _ in range(threads)]
    started = time.time()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return latencies, errors, time.time() - started


def moto_ceiling(moto, seconds, table, queue_url):
    upstream = aws_counting_proxy.Upstream(moto)
    sqs_headers = {"X-Amz-Target": "AmazonSQS.SendMessage", "Content-Type": "application/x-amz-json-1.0",
                   "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20200101/us-east-1/sqs/aws4_request, "
                                    "SignedHeaders=host, Signature=0"}

    def pair():
        task_id = uuid.uuid4().hex[:26]
        item = {"pk": {"S": "ceiling#" + task_id}, "task_id": {"S": task_id}, "status": {"S": "pending"},
                "input": {"S": "What is a ceiling?"}, "owner": {"S": "jwt:local|bench"},
                "created_at": {"N": str(int(time.time() * 1000))}}
        if upstream.dynamodb("PutItem", {"TableName": table, "Item": item,
                                         "ConditionExpression": "attribute_not_exists(pk)"}) is None:
            raise RuntimeError("PutItem failed")
        status, _, _ = upstream.request("POST", "/", json.dumps(
            {"QueueUrl": queue_url, "MessageBody": json.dumps({"taskId": task_id})}).encode(), sqs_headers)
        if status != 200:
            raise RuntimeError("SendMessage %d" % status)
    return closed_loop(seconds, THREADS, pair)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    seconds = int(args[0]) if args else 20
    json_out = sys.argv[sys.argv.index("--json") + 1] if "--json" in sys.argv else os.path.join(
        benchlib.ROOT, "bench/target/load.json")
    port = int(os.environ.get("PORT", "3100"))
    processes = benchlib.Processes()
    try:
        moto = benchlib.start_moto(processes)
        proxy, recorder = aws_counting_proxy.start(0, moto, sizes=False)
        standin = benchlib.start_standin(processes, latency_ms=PROVIDER_WAIT_MS, answer_chars=800)
        benchlib.start_local_stack(processes, "http://127.0.0.1:%d" % proxy.server_address[1], standin, port,
                                   {"LOCAL_SCHEDULE_INTERVAL_SECONDS": "3600"})
        api = "http://127.0.0.1:%d" % port
        tables = recorder.upstream.dynamodb("ListTables", {})["TableNames"]
        tasks_table = next(t for t in tables if "Tasks" in t)
        time.sleep(8)

        def submit():
            status, answer = benchlib.http("POST", api + "/tasks", {"task": "What is load %s?" % uuid.uuid4().hex[:8]})
            if status != 202:
                raise RuntimeError("submit %s" % status)
            return answer["task_id"]

        print("burst: %d threads for %d s" % (THREADS, seconds), file=sys.stderr, flush=True)
        burst, burst_errors, burst_elapsed = closed_loop(seconds, THREADS, submit)
        # let the burst's tasks drain before the steady part
        drain_until = time.time() + 300
        while time.time() < drain_until and backlog(recorder.upstream, tasks_table) > 0:
            time.sleep(2)

        print("steady: %d tasks/s for %d s" % (STEADY_RATE, 2 * seconds), file=sys.stderr, flush=True)
        recorder.records = []
        ids, steady_latencies = [], []
        started = time.time()
        for i in range(STEADY_RATE * 2 * seconds):
            wait = started + i / STEADY_RATE - time.time()
            if wait > 0:
                time.sleep(wait)
            t0 = time.time()
            ids.append(submit())
            steady_latencies.append((time.time() - t0) * 1000)
        deadline = time.time() + 300
        while time.time() < deadline and backlog(recorder.upstream, tasks_table) > 0:
            time.sleep(1)
        time.sleep(2)
        invocations = worker_invocations(recorder.records)
        polls = []
        for task_id in ids[:80]:
            t0 = time.time()
            status, _ = benchlib.http("GET", api + "/tasks/" + task_id)
            assert status == 200, status
            polls.append((time.time() - t0) * 1000)

        queue_url = next(q for q in json.loads(urllib.request.urlopen(urllib.request.Request(
            moto + "/", data=b"{}", method="POST", headers={
                "X-Amz-Target": "AmazonSQS.ListQueues", "Content-Type": "application/x-amz-json-1.0",
                "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20200101/us-east-1/sqs/aws4_request, "
                                 "SignedHeaders=host, Signature=0"})).read())["QueueUrls"] if "DLQ" in q)
        print("moto ceiling: %d threads for %d s" % (THREADS, seconds), file=sys.stderr, flush=True)
        ceiling, ceiling_errors, ceiling_elapsed = moto_ceiling(moto, seconds, tasks_table, queue_url)
        report(seconds, burst, burst_errors, burst_elapsed, steady_latencies, polls, len(ids), invocations,
               ceiling, ceiling_errors, ceiling_elapsed, json_out)
    finally:
        processes.stop_all()


def backlog(upstream, table):
    """Live tasks (pending or running), from the sparse index's shards, read from moto directly."""
    total = 0
    for shard in range(8):
        found = upstream.dynamodb("Query", {"TableName": table, "IndexName": "active-due", "Select": "COUNT",
                                            "KeyConditionExpression": "active_shard = :s",
                                            "ExpressionAttributeValues": {":s": {"S": str(shard)}}})
        total += (found or {}).get("Count", 0)
    return total


def worker_invocations(records):
    """Each batch the worker was handed: its ReceiveMessage with messages to the DeleteMessageBatch of them."""
    received = {}
    batches = []
    for r in records:
        if r["service"] != "sqs" or not r.get("queue", "").startswith("TaskQueue"):
            continue
        if r["op"] == "ReceiveMessage" and r.get("messages"):
            batch = {"start": r["t"], "messages": r["messages"], "end": None}
            batches.append(batch)
            for handle in r.get("receipts", []):
                received[handle] = batch
        elif r["op"] == "DeleteMessageBatch":
            for handle in r.get("receipts", []):
                batch = received.get(handle)
                if batch is not None:
                    batch["end"] = max(batch["end"] or 0, r["t"])
    return [b for b in batches if b["end"]]


def report(seconds, burst, burst_errors, burst_elapsed, steady_latencies, polls, steady_tasks, invocations,
           ceiling, ceiling_errors, ceiling_elapsed, json_out):
    durations = [(b["end"] - b["start"]) * 1000 for b in invocations]
    tasks = sum(b["messages"] for b in invocations)
    gb_s_per_task = sum(durations) / 1000 * 1.0 / tasks if tasks else float("nan")
    one_per_invocation = statistics.median(durations) / 1000 if durations else float("nan")
    result = {
        "date": time.strftime("%Y-%m-%d"), "seconds": seconds, "loadavg": os.getloadavg(),
        "burst": {"threads": THREADS, "submits": len(burst), "errors": len(burst_errors),
                  "tasks_per_s": len(burst) / burst_elapsed, "p50_ms": percentile(burst, 50),
                  "p99_ms": percentile(burst, 99)},
        "steady": {"rate": STEADY_RATE, "tasks": steady_tasks, "submit_p50_ms": percentile(steady_latencies, 50),
                   "submit_p99_ms": percentile(steady_latencies, 99), "status_p50_ms": percentile(polls, 50),
                   "status_p99_ms": percentile(polls, 99), "worker_invocations": len(invocations),
                   "tasks_per_invocation": tasks / len(invocations) if invocations else 0,
                   "invocation_ms_p50": percentile(durations, 50) if durations else None,
                   "gb_s_per_task_at_1024mb": gb_s_per_task, "provider_wait_ms": PROVIDER_WAIT_MS},
        "moto_ceiling": {"threads": THREADS, "pairs": len(ceiling), "errors": len(ceiling_errors),
                         "pairs_per_s": len(ceiling) / ceiling_elapsed, "p50_ms": percentile(ceiling, 50)},
    }
    os.makedirs(os.path.dirname(json_out), exist_ok=True)
    with open(json_out, "w") as f:
        json.dump(result, f, indent=1)
    b, s, c = result["burst"], result["steady"], result["moto_ceiling"]
    print("Load run, %s, load average %.1f\n" % (result["date"], result["loadavg"][0]))
    print("| part | figure |")
    print("|---|---|")
    print("| burst (%d threads, %d s) | %.1f submits/s accepted, p50 %.0f ms, p99 %.0f ms, %d errors |" % (
        THREADS, seconds, b["tasks_per_s"], b["p50_ms"], b["p99_ms"], b["errors"]))
    print("| moto ceiling (PutItem + SendMessage, %d threads) | %.1f pairs/s, p50 %.0f ms, %d errors |" % (
        THREADS, c["pairs_per_s"], c["p50_ms"], c["errors"]))
    print("| steady (%d tasks/s, provider %d ms) submit | p50 %.0f ms, p99 %.0f ms |" % (
        STEADY_RATE, PROVIDER_WAIT_MS, s["submit_p50_ms"], s["submit_p99_ms"]))
    print("| GET /tasks/{id} of %d finished tasks, one after the other | p50 %.0f ms, p99 %.0f ms |" % (
        len(polls), s["status_p50_ms"], s["status_p99_ms"]))
    print("| steady: worker invocations | %d for %d tasks: %.2f tasks per invocation, median %.0f ms each |" % (
        s["worker_invocations"], steady_tasks, s["tasks_per_invocation"], s["invocation_ms_p50"] or 0))
    print("| steady: worker GB-s per task at 1024 MB | %.3f (one task per invocation: %.3f; %.1f× lower) |" % (
        gb_s_per_task, one_per_invocation, one_per_invocation / gb_s_per_task if gb_s_per_task else 0))
    print("\nwritten to %s" % os.path.relpath(json_out, benchlib.ROOT))


if __name__ == "__main__":
    main()
