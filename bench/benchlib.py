"""Shared pieces of the bench/ scripts: free ports, moto, the provider stand-in, the local stack, clean stops."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOCAL_JAR = os.path.join(ROOT, "infra/local-stack/target/agent-tasks-local.jar")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit("not ready after %d s: %s" % (timeout, url))


class Processes:
    """The processes a script started, stopped by their pid on exit (and on SIGTERM/SIGINT)."""

    def __init__(self):
        self.started = []
        self.work = tempfile.mkdtemp(prefix="agent-tasks-bench-")
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    def start(self, name, args, env=None):
        log = open(os.path.join(self.work, name + ".log"), "w")
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.started.append(process)
        return process

    def stop(self, process, timeout=30):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self):
        """Stops every process started here; the working directory (logs) goes too unless BENCH_KEEP is set."""
        for process in reversed(self.started):
            self.stop(process)
        self.started = []
        if os.environ.get("BENCH_KEEP"):
            print("logs kept in %s" % self.work, file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)


def start_moto(processes):
    """scripts/moto-server (DynamoDB requests serialized, as the local stack runs it) on a free port."""
    port = free_port()
    processes.start("moto", [os.path.join(ROOT, "scripts/moto-server"), "-H", "127.0.0.1", "-p", str(port)])
    url = "http://127.0.0.1:%d" % port
    wait_http(url + "/moto-api/")
    return url


def start_standin(processes, latency_ms=0, answer_chars=800):
    port = free_port()
    processes.start("standin", [sys.executable, os.path.join(ROOT, "bench/provider_standin.py"), str(port), "20",
                                str(latency_ms), str(answer_chars)])
    url = "http://127.0.0.1:%d" % port
    wait_http(url + "/")
    return url + "/v1"


def start_local_stack(processes, aws_endpoint, llm_base_url, port, extra_env=None, name="local-stack"):
    """The local stack, logging to NAME.log in the processes' working directory."""
    if not os.path.exists(LOCAL_JAR):
        raise SystemExit("build first: mvn -B -o -q -DskipTests package")
    env = dict(os.environ, PORT=str(port), AWS_ENDPOINT_URL=aws_endpoint, LLM_PROVIDER="openai",
               LLM_BASE_URL=llm_base_url, LLM_API_KEY="x", AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="testing",
               AWS_SECRET_ACCESS_KEY="testing")
    env.update(extra_env or {})
    process = processes.start(name, ["java", "-jar", LOCAL_JAR], env)
    wait_http("http://127.0.0.1:%d/health" % port, timeout=180)
    return process


REPORT_LINE = re.compile(r"REPORT (\w+) Records: (\d+) Duration: (\d+) ms Memory Size: (\d+) MB")


def invocation_reports(log_text, function="WorkerFunction"):
    """The local stack's REPORT lines of one function's event source invocations: (records, duration ms, memory MB)."""
    return [(int(m.group(2)), int(m.group(3)), int(m.group(4))) for m in REPORT_LINE.finditer(log_text)
            if m.group(1) == function]


def template_settings():
    """What template.yaml sets for the worker (memory, its TaskQueue event source) and the other functions (Globals
    memory); a !Ref reads the parameter's Default. Read with patterns, so the bench needs no YAML library."""
    with open(os.path.join(ROOT, "template.yaml")) as f:
        text = f.read()

    def section(name, within, indent):
        found = re.search(r"^%s%s:\n((?:%s .*\n|\s*\n)*)" % (indent, name, indent), within, re.M)
        if not found:
            raise SystemExit("template.yaml: %s not found" % name)
        return found.group(1)

    parameters = section("Parameters", text, "")

    def number(block, key):
        raw = re.search(r"^\s+%s: (.+)$" % key, block, re.M).group(1).strip()
        if raw.startswith("!Ref "):
            raw = re.search(r"^\s+Default: '?([^'\n]+?)'?$", section(raw[5:].strip(), parameters, "  "), re.M).group(1)
        return int(raw)

    worker = section("WorkerFunction", section("Resources", text, ""), "  ")
    return {"worker_memory_mb": number(worker, "MemorySize"), "memory_mb": number(section("Globals", text, ""), "MemorySize"),
            "batch_size": number(worker, "BatchSize"), "window_s": number(worker, "MaximumBatchingWindowInSeconds"),
            "max_concurrency": number(worker, "MaximumConcurrency")}


class Receiver:
    """A webhook receiver: answers 204 and counts deliveries."""

    def __init__(self):
        self.deliveries = 0
        receiver = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.deliveries += 1
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]


def http(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=dict(
        {"Content-Type": "application/json"} if data else {}, **(headers or {})))
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")
