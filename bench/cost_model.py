"""Infrastructure cost per million tasks, computed from the measured request counts and durations.

Usage: python3 bench/cost_model.py [--polls N] [--memory MB] [--batch N]
Reads bench/target/request-count.json (bench/request_count.py) and bench/target/load.json (bench/load.py); prints
markdown. List prices: us-east-1, arm64, on-demand, as of PRICES_DATE, free tiers ignored. Everything but the
LLM provider's own bill. The worker's memory and tasks per invocation default to what load.json measured with the
template's settings (--memory and --batch price others); submit and status run at the template's Globals memory.

Assumptions, each printed with the table: the worker's invocation lasts the provider wait plus its own time, its
records run side by side (so a batch of n costs one wait, not n); its own time is the steady load's median
invocation less the wait, measured on this machine whatever the memory, and below 1024 MB it is scaled by 1024 / MB
as if all of it were CPU (Lambda gives CPU in proportion to memory): an upper bound; submit and status durations are
the local stack's measured HTTP latencies (an upper bound on the handler's billed duration); a webhook is priced
separately; the reconciler and idle queue polling are fixed monthly costs, not per task.
"""
import json
import math
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PRICES_DATE = "2026-12-03"
PRICE = {
    "apigw_http_per_m": 1.00,          # HTTP API, per million requests (first 300 million a month)
    "lambda_req_per_m": 0.20,          # per million invocations
    "lambda_gb_s": 0.0000133334,       # arm64, per GB-second (first 7.5 billion GB-s a month)
    "ddb_wru_per_m": 0.625,            # on-demand, per million write request units
    "ddb_rru_per_m": 0.125,            # on-demand, per million read request units
    "sqs_per_m": 0.40,                 # standard queue, per million requests (64 KB chunks)
    "logs_per_gb": 0.50,               # CloudWatch Logs standard ingestion, per GB
    "metric_month": 0.30,              # a custom metric (EMF) per month, first 10,000
}
LAMBDA_PLATFORM_LOG_BYTES = 350        # START, END and REPORT lines of one invocation (Text format), approximately


def load(name):
    path = os.path.join(ROOT, "bench/target", name)
    if not os.path.exists(path):
        raise SystemExit("missing %s: run bench/request_count.py and bench/load.py first" % path)
    with open(path) as f:
        return json.load(f)


def arg(name, default):
    return type(default)(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def main():
    counts = load("request-count.json")["per"]
    measured = load("load.json")
    polls = arg("--polls", 1)
    steady = measured["steady"]
    memory_mb = arg("--memory", steady["memory_mb"])
    memory_gb = memory_mb / 1024
    http_mb = measured["template"]["memory_mb"]
    wait_s = steady["provider_wait_ms"] / 1000
    fill = arg("--batch", 0.0) or steady["tasks_per_invocation"]
    # The worker's own time beyond the provider wait, per invocation (measured at the steady load), at 1024 MB or more;
    # below, scaled as if it were all CPU.
    overhead_s = max(0.0, steady["invocation_ms_p50"] / 1000 - wait_s)

    def own_s(mb):
        return overhead_s * max(1.0, 1024 / mb)
    submit_s = steady["submit_p50_ms"] / 1000
    status_s = steady["status_p50_ms"] / 1000

    def dynamodb(detail):
        return ((detail.get("dynamodb WRU (table)", 0) + detail.get("dynamodb WRU (indexes)", 0)) * PRICE["ddb_wru_per_m"]
                + detail.get("dynamodb RRU", 0) * PRICE["ddb_rru_per_m"])

    def sqs(detail):
        return detail.get("sqs requests (with a message)", 0) * PRICE["sqs_per_m"]

    def logs(detail, invocations):
        return (detail.get("log bytes (JSON lines, EMF included)", 0) + invocations * LAMBDA_PLATFORM_LOG_BYTES) \
            / 1e9 * 1e6 * PRICE["logs_per_gb"]

    task, poll = counts["plain"]["detail"], counts["poll"]["detail"]
    worker_invocations = 1 / fill
    lines = [
        ("API Gateway HTTP API: 1 POST + %d GET" % polls, (1 + polls) * PRICE["apigw_http_per_m"]),
        ("Lambda requests: submit 1, status %d, worker 1/%.2f" % (polls, fill),
         (1 + polls + worker_invocations) * PRICE["lambda_req_per_m"]),
        ("Lambda GB-s: submit (%.0f ms at %d MB)" % (submit_s * 1000, http_mb),
         submit_s * http_mb / 1024 * PRICE["lambda_gb_s"] * 1e6),
        ("Lambda GB-s: status (%.0f ms at %d MB) × %d" % (status_s * 1000, http_mb, polls),
         polls * status_s * http_mb / 1024 * PRICE["lambda_gb_s"] * 1e6),
        ("Lambda GB-s: worker, provider wait (%.1f s at %d MB, %.2f tasks per invocation)" % (
            wait_s, memory_mb, fill), wait_s * memory_gb / fill * PRICE["lambda_gb_s"] * 1e6),
        ("Lambda GB-s: worker, its own work (%.0f ms per invocation at %d MB)" % (own_s(memory_mb) * 1000, memory_mb),
         own_s(memory_mb) * memory_gb / fill * PRICE["lambda_gb_s"] * 1e6),
        ("DynamoDB on demand: task (%.2f WRU + %.2f index WRU, %.2f RRU) + %d poll(s)" % (
            task.get("dynamodb WRU (table)", 0), task.get("dynamodb WRU (indexes)", 0), task.get("dynamodb RRU", 0),
            polls), dynamodb(task) + polls * dynamodb(poll)),
        ("SQS: %.2f requests per task" % task.get("sqs requests (with a message)", 0), sqs(task)),
        ("CloudWatch Logs: %.0f bytes per task + %d poll(s) × %.0f, plus platform lines" % (
            task.get("log bytes (JSON lines, EMF included)", 0), polls,
            poll.get("log bytes (JSON lines, EMF included)", 0)),
         logs(task, 1 + worker_invocations) + polls * logs(poll, 1)),
    ]
    total = sum(v for _, v in lines)
    print("Cost per million tasks (us-east-1 list prices of %s, arm64, on demand, no free tier), from "
          "bench/target/request-count.json (%s) and bench/target/load.json (%s)\n" % (
              PRICES_DATE, load("request-count.json")["date"], measured["date"]))
    print("| line | $ per million tasks |")
    print("|---|---|")
    for name, value in lines:
        print("| %s | %.2f |" % (name, value))
    wait = next(v for name, v in lines if "provider wait" in name)
    print("| **infrastructure, one status poll** | **%.2f** |" % total)
    print("| of which the worker's provider wait | %.2f |" % wait)
    print("| everything but that wait | %.2f |" % (total - wait))

    hook = counts["callback - plain"]["detail"]
    webhook = dynamodb(hook) + sqs(hook) + PRICE["lambda_req_per_m"] / 5 + logs(hook, 0.2)
    print("\nA task with a webhook adds about $%.2f per million (%.2f WRU + %.2f index WRU, %.2f RRU, %.1f SQS "
          "requests, the callback function's invocation and logs; its HTTP wait not included)." % (
              webhook, hook.get("dynamodb WRU (table)", 0), hook.get("dynamodb WRU (indexes)", 0),
              hook.get("dynamodb RRU", 0), hook.get("sqs requests (with a message)", 0)))
    retry = counts["retry - plain"]["detail"]
    print("A retry within the invocation adds about $%.2f per million retries in DynamoDB and SQS, plus another "
          "provider wait." % (dynamodb(retry) + sqs(retry)))

    print("\nThe worker's GB-s per task, provider wait %.1f s + %.0f ms of its own per invocation at 1024 MB (scaled "
          "by 1024 / MB below it):\n" % (wait_s, overhead_s * 1000))
    print("| memory | 1 task per invocation | 2 | 5 | 10 |")
    print("|---|---|---|---|---|")
    for mb in (1024, 512, 256):
        cells = []
        for n in (1, 2, 5, 10):
            gb_s = (wait_s + own_s(mb)) * mb / 1024 / n
            cells.append("%.3f GB-s, $%.2f" % (gb_s, gb_s * PRICE["lambda_gb_s"] * 1e6))
        print("| %d MB | %s |" % (mb, " | ".join(cells)))
    print("\n(per task; n tasks per invocation means a batch of n records processed side by side, which needs n "
          "messages waiting when the batch is collected: BatchSize and MaximumBatchingWindowInSeconds)")

    reconciler_run_s = 0.3
    monthly_runs = 60 * 24 * 30
    print("\nFixed monthly costs (not per task): the reconciler, %d runs of about %.1f s at %d MB: $%.2f in GB-s "
          "and $%.2f in requests, plus 8 Queries per run (%.2f RRU each at least): $%.3f; the event source mappings' "
          "idle long polls of TaskQueue and CallbackQueue (Lambda's pollers, about 3 requests a minute each, 5 "
          "pollers): about $%.2f; EMF metrics at $%.2f per metric and dimension set a month." % (
              monthly_runs, reconciler_run_s, http_mb, monthly_runs * reconciler_run_s * http_mb / 1024 * PRICE["lambda_gb_s"],
              monthly_runs * PRICE["lambda_req_per_m"] / 1e6, 0.5,
              monthly_runs * 8 * 0.5 * PRICE["ddb_rru_per_m"] / 1e6,
              2 * 5 * 3 * 60 * 24 * 30 * PRICE["sqs_per_m"] / 1e6, PRICE["metric_month"]))
    if not math.isfinite(total):
        raise SystemExit("incomplete measurements")


if __name__ == "__main__":
    main()
