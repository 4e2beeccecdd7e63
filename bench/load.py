"""A load run through the local stack, with moto's own ceiling measured beside it.

Usage: python3 bench/load.py [SECONDS] [--json FILE] [--set Parameter=Value ...]
       (after `mvn -B -o -q -DskipTests package`; default 20 s; --set tries other worker parameters than the template's)
The local stack listens on $PORT (default 3100) against moto (scripts/moto-server, DynamoDB requests serialized)
through the counting proxy (bench/aws_counting_proxy.py, without item sizes); the provider stand-in answers after
2 s, the provider wait the cost model assumes. The worker runs with template.yaml's settings (memory, BatchSize,
MaximumBatchingWindowInSeconds, MaximumConcurrency); the baseline stack runs it as before batching, one task per
invocation at 1024 MB (LOCAL_PARAMETER_OVERRIDES). Parts:

  baseline   a local stack with the baseline settings: the steady load below, then lone tasks
  burst      8 threads POST /tasks back to back for SECONDS: submit latency p50/p99 and accepted tasks per second
  steady     4 tasks per second for 2×SECONDS, then until all are complete: the worker's invocations (the local
             stack's REPORT lines: records, duration, memory), tasks per invocation and GB-s per task at the
             template's worker memory, beside the baseline's; then one GET /tasks/{id} of 80 of them
  lone       LONE_TASKS tasks one at a time, each alone on the queue, submitted with Prefer: wait=20: submit ->
             completed (the task's created_at -> updated_at) and the caller's wait, with the template's batching
             window and without one (the baseline)
  ceiling    8 threads send what a submission needs (a conditional PutItem of a task-sized item and a SendMessage)
             straight to moto, as fast as it answers: the most submissions per second moto allows here
"""
import datetime
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aws_counting_proxy  # noqa: E402
import benchlib  # noqa: E402

THREADS = 8
STEADY_RATE = 4
PROVIDER_WAIT_MS = 2000
LONE_TASKS = 5
# The worker as before batching: one task per invocation at 1024 MB, no window.
BASELINE = {"WorkerMemorySize": 1024, "WorkerBatchSize": 1, "WorkerBatchingWindowSeconds": 0,
            "WorkerMaximumConcurrency": 25}
# The template parameters --set may change, and which of benchlib.template_settings() each is.
SETTING_OF = {"WorkerMemorySize": "worker_memory_mb", "WorkerBatchSize": "batch_size",
              "WorkerBatchingWindowSeconds": "window_s", "WorkerMaximumConcurrency": "max_concurrency"}


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
    overrides = dict(sys.argv[i + 1].split("=", 1) for i, a in enumerate(sys.argv) if a == "--set")
    args = [a for i, a in enumerate(sys.argv[1:], 1) if not a.startswith("--") and sys.argv[i - 1] not in ("--set", "--json")]
    seconds = int(args[0]) if args else 20
    json_out = sys.argv[sys.argv.index("--json") + 1] if "--json" in sys.argv else os.path.join(
        benchlib.ROOT, "bench/target/load.json")
    port = int(os.environ.get("PORT", "3100"))
    settings = benchlib.template_settings()
    for name, value in overrides.items():
        settings[SETTING_OF[name]] = int(value)
    processes = benchlib.Processes()
    try:
        moto = benchlib.start_moto(processes)
        proxy, recorder = aws_counting_proxy.start(0, moto, sizes=False)
        proxy_url = "http://127.0.0.1:%d" % proxy.server_address[1]
        standin = benchlib.start_standin(processes, latency_ms=PROVIDER_WAIT_MS, answer_chars=800)
        api = "http://127.0.0.1:%d" % port

        def stack(name, overrides):
            env = {"LOCAL_SCHEDULE_INTERVAL_SECONDS": "3600"}
            if overrides:
                env["LOCAL_PARAMETER_OVERRIDES"] = ",".join("%s=%s" % item for item in overrides.items())
            process = benchlib.start_local_stack(processes, proxy_url, standin, port, env, name=name)
            time.sleep(8)
            return process, os.path.join(processes.work, name + ".log")

        def submit(prefer_wait=None):
            status, answer = benchlib.http("POST", api + "/tasks", {"task": "What is load %s?" % uuid.uuid4().hex[:8]},
                                           {"Prefer": "wait=%d" % prefer_wait} if prefer_wait else None)
            if status not in (200, 202):
                raise RuntimeError("submit %s" % status)
            return answer

        def drain(tasks_table, timeout=300):
            deadline = time.time() + timeout
            while time.time() < deadline and backlog(recorder.upstream, tasks_table) > 0:
                time.sleep(1)

        def steady(tasks_table, log):
            print("steady: %d tasks/s for %d s" % (STEADY_RATE, 2 * seconds), file=sys.stderr, flush=True)
            log_from = os.path.getsize(log)
            ids, latencies = [], []
            started = time.time()
            for i in range(STEADY_RATE * 2 * seconds):
                wait = started + i / STEADY_RATE - time.time()
                if wait > 0:
                    time.sleep(wait)
                t0 = time.time()
                ids.append(submit()["task_id"])
                latencies.append((time.time() - t0) * 1000)
            drain(tasks_table)
            time.sleep(2)
            with open(log) as f:
                f.seek(log_from)
                return ids, latencies, benchlib.invocation_reports(f.read())

        def lone_tasks():
            print("lone: %d tasks one at a time" % LONE_TASKS, file=sys.stderr, flush=True)
            runs = []
            for _ in range(LONE_TASKS):
                t0 = time.time()
                answer = submit(prefer_wait=20)
                waited_ms = (time.time() - t0) * 1000
                view = answer
                while view.get("status") not in ("complete", "failed", "cancelled"):
                    time.sleep(0.5)
                    _, view = benchlib.http("GET", api + "/tasks/" + answer["task_id"])
                runs.append({"completed_ms": (instant(view["updated_at"]) - instant(view["created_at"])) * 1000,
                             "prefer_wait_answer_ms": waited_ms, "finished_within_wait": answer.get("status") == "complete"})
            return runs

        baseline_process, baseline_log = stack("local-stack-baseline", BASELINE)
        tables = recorder.upstream.dynamodb("ListTables", {})["TableNames"]
        tasks_table = next(t for t in tables if "Tasks" in t)
        baseline_ids, _, baseline_invocations = steady(tasks_table, baseline_log)
        baseline_lone = lone_tasks()
        processes.stop(baseline_process)

        stack("local-stack", overrides)
        print("burst: %d threads for %d s" % (THREADS, seconds), file=sys.stderr, flush=True)
        burst, burst_errors, burst_elapsed = closed_loop(seconds, THREADS, lambda: submit()["task_id"])
        drain(tasks_table)   # let the burst's tasks finish before the steady part
        ids, steady_latencies, invocations = steady(tasks_table, os.path.join(processes.work, "local-stack.log"))
        polls = []
        for task_id in ids[:80]:
            t0 = time.time()
            status, _ = benchlib.http("GET", api + "/tasks/" + task_id)
            assert status == 200, status
            polls.append((time.time() - t0) * 1000)
        lone = lone_tasks()

        queue_url = next(q for q in json.loads(urllib.request.urlopen(urllib.request.Request(
            moto + "/", data=b"{}", method="POST", headers={
                "X-Amz-Target": "AmazonSQS.ListQueues", "Content-Type": "application/x-amz-json-1.0",
                "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20200101/us-east-1/sqs/aws4_request, "
                                 "SignedHeaders=host, Signature=0"})).read())["QueueUrls"] if "DLQ" in q)
        print("moto ceiling: %d threads for %d s" % (THREADS, seconds), file=sys.stderr, flush=True)
        ceiling, ceiling_errors, ceiling_elapsed = moto_ceiling(moto, seconds, tasks_table, queue_url)
        report(seconds, settings, burst, burst_errors, burst_elapsed, steady_latencies, polls,
               worker_figures(invocations, len(ids)), worker_figures(baseline_invocations, len(baseline_ids)),
               lone, baseline_lone, ceiling, ceiling_errors, ceiling_elapsed, json_out)
    finally:
        processes.stop_all()


def instant(iso):
    """Seconds since the epoch of an ISO-8601 UTC instant such as 2026-01-01T00:00:01.120Z."""
    return datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def backlog(upstream, table):
    """Live tasks (pending or running), from the sparse index's shards, read from moto directly."""
    total = 0
    for shard in range(8):
        found = upstream.dynamodb("Query", {"TableName": table, "IndexName": "active-due", "Select": "COUNT",
                                            "KeyConditionExpression": "active_shard = :s",
                                            "ExpressionAttributeValues": {":s": {"S": str(shard)}}})
        total += (found or {}).get("Count", 0)
    return total


def worker_figures(reports, tasks):
    """The worker's invocations in one steady part (its REPORT lines), billed as Lambda bills them: duration × memory.
    gb_s_per_task_cpu_bound is an upper bound below 1024 MB: each invocation's own time (beyond the provider wait)
    scaled by 1024 / its memory, as if all of it were CPU, which Lambda gives in proportion to memory (the local
    stack runs every function on this machine's CPUs whatever its memory)."""
    durations = [duration for _, duration, _ in reports]
    gb_s = sum(duration / 1000 * mb / 1024 for _, duration, mb in reports)
    cpu_bound = sum((PROVIDER_WAIT_MS + max(0, duration - PROVIDER_WAIT_MS) * max(1.0, 1024 / mb)) / 1000 * mb / 1024
                    for _, duration, mb in reports)
    return {"tasks": tasks, "invocations": len(reports), "records": sum(records for records, _, _ in reports),
            "memory_mb": reports[0][2] if reports else None,
            "tasks_per_invocation": tasks / len(reports) if reports else 0,
            "records_per_invocation": dict(sorted(Counter(records for records, _, _ in reports).items())),
            "invocation_ms_p50": percentile(durations, 50) if durations else None,
            "invocation_ms_p90": percentile(durations, 90) if durations else None,
            "gb_s_per_task": gb_s / tasks if tasks else float("nan"),
            "gb_s_per_task_cpu_bound": cpu_bound / tasks if tasks else float("nan")}


def lone_figures(runs):
    completed = [r["completed_ms"] for r in runs]
    waits = [r["prefer_wait_answer_ms"] for r in runs]
    return {"tasks": len(runs), "completed_ms_p50": statistics.median(completed), "completed_ms_max": max(completed),
            "prefer_wait_answer_ms_p50": statistics.median(waits),
            "finished_within_wait": sum(1 for r in runs if r["finished_within_wait"])}


def report(seconds, settings, burst, burst_errors, burst_elapsed, steady_latencies, polls, worker, baseline, lone,
           baseline_lone, ceiling, ceiling_errors, ceiling_elapsed, json_out):
    result = {
        "date": time.strftime("%Y-%m-%d"), "time": time.strftime("%H:%M"), "seconds": seconds,
        "loadavg": os.getloadavg(), "template": settings,
        "baseline_overrides": BASELINE,
        "burst": {"threads": THREADS, "submits": len(burst), "errors": len(burst_errors),
                  "tasks_per_s": len(burst) / burst_elapsed, "p50_ms": percentile(burst, 50),
                  "p99_ms": percentile(burst, 99)},
        "steady": dict(worker, rate=STEADY_RATE, submit_p50_ms=percentile(steady_latencies, 50),
                       submit_p99_ms=percentile(steady_latencies, 99), status_p50_ms=percentile(polls, 50),
                       status_p99_ms=percentile(polls, 99), provider_wait_ms=PROVIDER_WAIT_MS, baseline=baseline),
        "lone_task": {"window_s": settings["window_s"], "with_window": lone_figures(lone),
                      "without_window": lone_figures(baseline_lone)},
        "moto_ceiling": {"threads": THREADS, "pairs": len(ceiling), "errors": len(ceiling_errors),
                         "pairs_per_s": len(ceiling) / ceiling_elapsed, "p50_ms": percentile(ceiling, 50)},
    }
    os.makedirs(os.path.dirname(json_out), exist_ok=True)
    with open(json_out, "w") as f:
        json.dump(result, f, indent=1)
    b, s, c, lt = result["burst"], result["steady"], result["moto_ceiling"], result["lone_task"]
    print("Load run, %s, load average %.1f; worker %d MB, BatchSize %d, batching window %d s, MaximumConcurrency %d "
          "(baseline: %s)\n" % (result["date"], result["loadavg"][0], settings["worker_memory_mb"],
                                settings["batch_size"], settings["window_s"], settings["max_concurrency"],
                                ", ".join("%s=%s" % kv for kv in BASELINE.items())))
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
    for name, w in (("baseline", baseline), ("template", worker)):
        print("| steady, %s: worker invocations | %d for %d tasks: %.2f tasks per invocation (records per invocation: "
              "%s), median %.0f ms, p90 %.0f ms |" % (
                  name, w["invocations"], w["tasks"], w["tasks_per_invocation"],
                  ", ".join("%s×%d" % kv for kv in w["records_per_invocation"].items()),
                  w["invocation_ms_p50"] or 0, w["invocation_ms_p90"] or 0))
    print("| steady: worker GB-s per task, baseline (one task per invocation, %d MB) | %.3f |" % (
        baseline["memory_mb"] or 0, baseline["gb_s_per_task"]))
    print("| steady: worker GB-s per task, template (%d MB) | %.3f: **%.1f× lower**; %.3f (%.1f× lower) if its own "
          "time grew by 1024/%d MB |" % (
              worker["memory_mb"] or 0, worker["gb_s_per_task"], baseline["gb_s_per_task"] / worker["gb_s_per_task"],
              worker["gb_s_per_task_cpu_bound"], baseline["gb_s_per_task"] / worker["gb_s_per_task_cpu_bound"],
              worker["memory_mb"] or 0))
    for name, figures in (("with the %d s window" % lt["window_s"], lt["with_window"]),
                          ("without a window (baseline)", lt["without_window"])):
        print("| lone task %s: submit → completed | median %.0f ms, max %.0f ms; the Prefer: wait=20 answer after a "
              "median %.0f ms (%d of %d finished within the wait) |" % (
                  name, figures["completed_ms_p50"], figures["completed_ms_max"], figures["prefer_wait_answer_ms_p50"],
                  figures["finished_within_wait"], figures["tasks"]))
    print("\nwritten to %s" % os.path.relpath(json_out, benchlib.ROOT))


if __name__ == "__main__":
    main()
