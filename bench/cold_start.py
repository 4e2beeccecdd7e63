"""Cold start of each function under the AWS Lambda Java runtime interface client, beside a bare-SDK floor.

Usage: python3 bench/cold_start.py [RUNS] [FUNCTION ...]       RUNS defaults to 7; functions: submit status worker
       reconciler callback (default all).  Build first: mvn -B -o -q -DskipTests package (the floor jar is built here).

Each run is a fresh JVM launched as Lambda's java21 runtime launches one: the runtime interface client
(com.amazonaws:aws-lambda-java-runtime-interface-client 2.10.1 from ~/.m2, with its serialization and core jars) is
the main class, the function's deployable jar sits in lib/ of the task root (the working directory), the template's
JAVA_TOOL_OPTIONS (Globals) and the function's environment are set, and AWS_ENDPOINT_URL points at moto. This script
is the Runtime API: it hands the JVM one event and times

  init    JVM launch -> the runtime's first GET /runtime/invocation/next (handler constructed)
  total   JVM launch -> the handler's response POSTed back (the figure compared)

Each function's run is paired with a run of its floor (bench/floor: a handler that builds the same SDK clients and makes
the same kind of requests, nothing else), in alternating order, and the ratio is of the medians. The floor's jar is
bench/floor/target/floor-function.jar. Results: a table on stdout and bench/target/cold-start.json.
BENCH_JAVA_OPTS adds JVM options to every run (profiling); BENCH_KEEP=1 keeps the logs.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from aws_counting_proxy import Upstream  # noqa: E402

ROOT = benchlib.ROOT
M2 = os.path.expanduser("~/.m2/repository")
RUNTIME_JARS = [
    M2 + "/com/amazonaws/aws-lambda-java-runtime-interface-client/2.10.1/aws-lambda-java-runtime-interface-client-2.10.1.jar",
    M2 + "/com/amazonaws/aws-lambda-java-core/1.4.0/aws-lambda-java-core-1.4.0.jar",
    M2 + "/com/amazonaws/aws-lambda-java-serialization/1.2.0/aws-lambda-java-serialization-1.2.0.jar",
    M2 + "/software/amazon/awssdk/utils-lite/2.34.0/utils-lite-2.34.0.jar",
]
FLOOR_JAR = os.path.join(ROOT, "bench/floor/target/floor-function.jar")
FUNCTIONS = {
    # name: (jar, handler, floor handler)
    "submit": ("functions/submit/target/submit-function.jar", "dev.agenttasks.submit.SubmitHandler::handleRequest",
               "dev.agenttasks.bench.floor.SubmitFloor::handleRequest"),
    "status": ("functions/status/target/status-function.jar", "dev.agenttasks.status.StatusHandler::handleRequest",
               "dev.agenttasks.bench.floor.StatusFloor::handleRequest"),
    "worker": ("functions/worker/target/worker-function.jar", "dev.agenttasks.worker.WorkerHandler::handleRequest",
               "dev.agenttasks.bench.floor.WorkerFloor::handleRequest"),
    "reconciler": ("functions/reconciler/target/reconciler-function.jar",
                   "dev.agenttasks.reconciler.ReconcilerHandler::handleRequest",
                   "dev.agenttasks.bench.floor.ReconcilerFloor::handleRequest"),
    "callback": ("functions/callback/target/callback-function.jar",
                 "dev.agenttasks.callback.CallbackHandler::handleRequest",
                 "dev.agenttasks.bench.floor.CallbackFloor::handleRequest"),
}


def template_java_tool_options():
    with open(os.path.join(ROOT, "template.yaml")) as f:
        return re.search(r"^\s+JAVA_TOOL_OPTIONS:\s*(.+)$", f.read(), re.M).group(1).strip().strip("'\"")


class RuntimeApi:
    """The Lambda Runtime API for one invocation at a time: hands out the event, records when the answer came."""

    def __init__(self):
        api = self
        self.lock = threading.Lock()
        self.event = None

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                if not self.path.endswith("/runtime/invocation/next"):
                    return self.answer(404, b"{}")
                run = api.event
                with api.lock:
                    first = run is not None and "next_at" not in run
                    if first:
                        run["next_at"] = time.time()
                if not first:
                    # The next invocation never comes: the JVM is stopped first, and this request is left unanswered.
                    run["stopped"].wait(120)
                    self.close_connection = True
                    return
                self.send_response(200)
                for k, v in (("Lambda-Runtime-Aws-Request-Id", run["id"]),
                             ("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 120_000)),
                             ("Lambda-Runtime-Invoked-Function-Arn",
                              "arn:aws:lambda:us-east-1:123456789012:function:bench"),
                             ("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0"),
                             ("Content-Type", "application/json"), ("Content-Length", str(len(run["body"])))):
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(run["body"])

            def do_POST(self):
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                run = api.event
                if run is not None:
                    run["answer"] = data.decode(errors="replace")
                    run["answered_at"] = time.time()
                    run["error"] = not self.path.endswith("/response")
                    run["done"].set()
                self.answer(202, b"{}")

            def answer(self, status, body):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.address = "127.0.0.1:%d" % self.server.server_address[1]

    def invoke(self, jar, handler, env, work):
        """One cold start: a fresh JVM with the jar in <task root>/lib, one event; returns the timings."""
        task_root = os.path.join(work, "task-" + uuid.uuid4().hex[:8])
        os.makedirs(os.path.join(task_root, "lib"))
        os.symlink(os.path.abspath(jar), os.path.join(task_root, "lib", os.path.basename(jar)))
        run = {"id": str(uuid.uuid4()), "body": env.pop("__event").encode(), "done": threading.Event(),
               "stopped": threading.Event()}
        self.event = run
        env = dict(env, AWS_LAMBDA_RUNTIME_API=self.address, LAMBDA_TASK_ROOT=task_root, _HANDLER=handler)
        log = open(os.path.join(work, "jvm.log"), "a")
        started = time.time()
        extra = os.environ.get("BENCH_JAVA_OPTS", "").split()   # e.g. -Xlog:class+load:file=...:uptime to profile
        process = subprocess.Popen(["java"] + extra + ["-cp", ":".join(RUNTIME_JARS),
                                    "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", handler],
                                   cwd=task_root, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            if not run["done"].wait(120):
                raise SystemExit("no answer from %s within 120 s (log: %s)" % (handler, log.name))
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            run["done"].set()
            run["stopped"].set()
            self.event = None
        if run["error"]:
            raise SystemExit("%s failed: %s (log: %s)" % (handler, run["answer"][:500], log.name))
        return {"init_ms": round((run["next_at"] - started) * 1000),
                "total_ms": round((run["answered_at"] - started) * 1000), "answer": run["answer"][:300]}


def main():
    args = sys.argv[1:]
    runs = int(args[0]) if args and args[0].isdigit() else 7
    names = [a for a in args if not a.isdigit()] or list(FUNCTIONS)
    for name in names:
        if not os.path.exists(os.path.join(ROOT, FUNCTIONS[name][0])):
            raise SystemExit("build first: mvn -B -o -q -DskipTests package")
    for jar in RUNTIME_JARS:
        if not os.path.exists(jar):
            raise SystemExit("missing %s (mvn dependency:get -Dartifact=com.amazonaws:"
                             "aws-lambda-java-runtime-interface-client:2.10.1)" % jar)
    subprocess.run(["mvn", "-B", "-o", "-q", "-f", os.path.join(ROOT, "bench/floor/pom.xml"), "package"], check=True)
    processes = benchlib.Processes()
    try:
        moto = benchlib.start_moto(processes)
        setup = Setup(processes, moto)
        api = RuntimeApi()
        java_tool_options = template_java_tool_options()
        results = {name: {"function": [], "floor": []} for name in names}
        for i in range(runs):
            for name in names:
                jar, handler, floor_handler = FUNCTIONS[name]
                order = [("function", jar, handler), ("floor", FLOOR_JAR, floor_handler)]
                if i % 2:
                    order.reverse()
                for kind, jar_path, h in order:
                    env = setup.environment(name, java_tool_options)
                    result = api.invoke(os.path.join(ROOT, jar_path), h, env, processes.work)
                    results[name][kind].append(result)
                    print("run %d %-10s %-8s init %5d ms  total %5d ms  %s" % (
                        i + 1, name, kind, result["init_ms"], result["total_ms"], result["answer"][:80]),
                        file=sys.stderr, flush=True)
        report(results, runs, java_tool_options)
    finally:
        processes.stop_all()


class Setup:
    """moto provisioned from template.yaml by the local stack, a stand-in provider and webhook receiver, and per run
    the event and the stored task it needs."""

    def __init__(self, processes, moto):
        self.moto = moto
        self.upstream = Upstream(moto)
        port = benchlib.free_port()
        self.standin = benchlib.start_standin(processes)
        self.receiver = benchlib.Receiver()
        stack = benchlib.start_local_stack(processes, moto, self.standin, port)   # creates the tables and queues
        processes.stop(stack)
        tables = self.upstream.dynamodb("ListTables", {})["TableNames"]
        self.tasks_table = next(t for t in tables if "Tasks" in t)
        self.breaker_table = next(t for t in tables if "Breaker" in t)
        queues = json.loads(self.sqs("ListQueues", {})).get("QueueUrls", [])
        self.queue = lambda part: next(q for q in queues if q.rsplit("/", 1)[-1].startswith(part))
        self.ssm("PutParameter", {"Name": "/agent-tasks/llm-api-key", "Value": "x", "Type": "SecureString",
                                  "Overwrite": True})
        self.owner = self.owner_of(json.load(open(os.path.join(ROOT, "events/get-task.json"))))
        self.template_item = None

    def sqs(self, operation, payload):
        return self.aws("AmazonSQS." + operation, "application/x-amz-json-1.0", "sqs", payload)

    def ssm(self, operation, payload):
        return self.aws("AmazonSSM." + operation, "application/x-amz-json-1.1", "ssm", payload)

    def aws(self, target, content_type, service, payload):
        request = urllib.request.Request(self.moto + "/", data=json.dumps(payload).encode(), method="POST", headers={
            "X-Amz-Target": target, "Content-Type": content_type,
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20200101/us-east-1/%s/aws4_request, "
                             "SignedHeaders=host, Signature=0" % service})
        with urllib.request.urlopen(request) as response:
            return response.read().decode()

    @staticmethod
    def owner_of(event):
        iam = event["requestContext"]["authorizer"]["iam"]
        return "iam:" + iam["userArn"].rsplit("/", 1)[0] + "|" + iam["userId"].split(":")[0]

    def stored_task(self, **changes):
        """A pending task as the submit function stores it (its attributes copied from one it stored), new id."""
        if self.template_item is None:
            found = self.upstream.dynamodb("Scan", {"TableName": self.tasks_table,
                                                    "FilterExpression": "kind = :t",
                                                    "ExpressionAttributeValues": {":t": {"S": "task"}}})
            items = [i for i in found.get("Items", []) if i.get("status", {}).get("S") == "pending"]
            if not items:
                raise SystemExit("no task stored by the submit function yet: run 'submit' first")
            self.template_item = items[0]
        task_id = "".join(__import__("random").choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(26))
        now = str(int(time.time() * 1000))
        item = dict(self.template_item, pk={"S": "task#" + task_id}, task_id={"S": task_id},
                    created_at={"N": now}, updated_at={"N": now})
        for key, value in changes.items():
            if value is None:
                item.pop(key, None)
            else:
                item[key] = value
        if self.upstream.dynamodb("PutItem", {"TableName": self.tasks_table, "Item": item}) is None:
            raise SystemExit("could not store a task in moto")
        return task_id

    def environment(self, name, java_tool_options):
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "JAVA_HOME", "LANG")}
        env.update({
            "AWS_LAMBDA_FUNCTION_NAME": "agent-tasks-" + name, "AWS_LAMBDA_FUNCTION_VERSION": "1",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024", "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/agent-tasks-" + name,
            "AWS_LAMBDA_LOG_STREAM_NAME": "bench", "AWS_EXECUTION_ENV": "AWS_Lambda_java21", "TZ": ":UTC",
            "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing", "AWS_ENDPOINT_URL": self.moto, "JAVA_TOOL_OPTIONS": java_tool_options,
            # Globals of template.yaml
            "TASKS_TABLE": self.tasks_table, "BREAKER_TABLE": self.breaker_table,
            "TASK_QUEUE_URL": self.queue("TaskQueue"), "TASK_DLQ_URL": self.queue("TaskDLQ"),
            "CALLBACK_QUEUE_URL": self.queue("CallbackQueue"), "TASK_LEASE_SECONDS": "60", "LLM_PROVIDER": "openai",
            "SERVICE_NAME": "agent-tasks",
        })
        if name == "status":
            env.update(CURSOR_SIGNING_KEY="c" * 40, WEBHOOK_SIGNING_KEY="w" * 40)
            event = json.load(open(os.path.join(ROOT, "events/get-task.json")))
            task_id = self.stored_task()
            event["pathParameters"] = {"id": task_id}
            event["rawPath"] = event["requestContext"]["http"]["path"] = "/tasks/" + task_id
        elif name == "submit":
            event = json.load(open(os.path.join(ROOT, "events/submit-task.json")))
            event["headers"].pop("idempotency-key", None)   # every run creates a task
        elif name == "worker":
            env.update(LLM_BASE_URL=self.standin, LLM_API_KEY_PARAMETER="/agent-tasks/llm-api-key",
                       LLM_TIMEOUT_MS="30000", RETRY_MAX_ATTEMPTS="5", TASK_MAX_AGE_SECONDS="3600")
            event = self.sqs_event(self.stored_task())
        elif name == "callback":
            env.update(WEBHOOK_SIGNING_KEY="w" * 40)
            task_id = self.stored_task(status={"S": "complete"}, result={"S": "an answer"},
                                       callback_url={"S": self.receiver.url}, callback_status={"S": "pending"},
                                       callback_attempts={"N": "0"})
            event = self.sqs_event(task_id)
        else:
            event = json.load(open(os.path.join(ROOT, "events/scheduled.json")))
        env["__event"] = json.dumps(event)
        return env

    @staticmethod
    def sqs_event(task_id):
        event = json.load(open(os.path.join(ROOT, "events/sqs-batch.json")))
        event["Records"] = event["Records"][:1]
        event["Records"][0]["body"] = json.dumps({"taskId": task_id}, separators=(",", ":"))  # as TaskMessages writes it
        return event


def report(results, runs, java_tool_options):
    load = os.getloadavg()
    out = {"date": time.strftime("%Y-%m-%d"), "runs": runs, "java_tool_options": java_tool_options,
           "loadavg": load, "functions": {}}
    print("\nCold start under the runtime interface client, %d runs each, alternating with the floor, %s "
          "(load average %.1f)\n" % (runs, time.strftime("%Y-%m-%d"), load[0]))
    print("| function | init median | total median (min–max) | floor total median (min–max) | ratio | jar |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        f = [x["total_ms"] for x in r["function"]]
        g = [x["total_ms"] for x in r["floor"]]
        fi = statistics.median(x["init_ms"] for x in r["function"])
        ratio = statistics.median(f) / statistics.median(g)
        size = os.path.getsize(os.path.join(ROOT, FUNCTIONS[name][0]))
        out["functions"][name] = {"function_total_ms": f, "floor_total_ms": g, "function_init_median_ms": fi,
                                  "floor_init_median_ms": statistics.median(x["init_ms"] for x in r["floor"]),
                                  "ratio": ratio, "jar_bytes": size}
        print("| %s | %d ms | **%d ms** (%d–%d) | %d ms (%d–%d) | **%.2f×** | %.1f MiB |" % (
            name, fi, statistics.median(f), min(f), max(f), statistics.median(g), min(g), max(g), ratio,
            size / 1048576))
    path = os.path.join(ROOT, "bench/target/cold-start.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1)
    print("\nwritten to bench/target/cold-start.json")


if __name__ == "__main__":
    main()
