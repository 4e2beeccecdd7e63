"""A model outage on the local stack, as a user would try it: how many calls reach the broken model.

Usage (from the repo root, after `mvn -q -DskipTests package`): python3 bench/breaker_outage.py

Starts an OpenAI-compatible stand-in whose models can be switched between answering, 503 and 429, and the
local stack (infra/local-stack/target/agent-tasks-local.jar) calling it with BREAKER_RECOVERY_SECONDS=10
(threshold 5, the default). Then:
  1. outage: the 70B model answers 503; 30 complex tasks (routed to it) are submitted over 6 s; prints the
     calls it got in the 25 s from the first submit, and the tasks' statuses and attempts;
  2. recovery: the model answers again; waits until all 30 are complete and prints how long that took;
  3. rate limit: the model answers one 429 with retry-after: 20; 8 tasks over 4 s; prints the calls' times.
Stops everything it started.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BIG = "llama-3.3-70b-versatile"
JAR = os.path.join("infra", "local-stack", "target", "agent-tasks-local.jar")
calls, modes, lock = [], {}, threading.Lock()


class StandIn(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        model = request["model"]
        with lock:
            mode = modes.get(model, "ok")
            if mode == "429-once":
                modes[model] = "ok"
            calls.append({"t": time.time(), "model": model, "mode": mode})
        if mode == "503":
            return self.send(503, {"error": {"message": "Service Unavailable", "type": "internal_server_error"}})
        if mode == "429-once":
            return self.send(429, {"error": {"message": "Rate limit reached", "type": "tokens"}}, {"retry-after": "20"})
        self.send(200, {"id": "x", "object": "chat.completion", "created": int(time.time()), "model": model,
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": "an answer"},
                                     "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}})

    def send(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def submit(api, n, label, spread_seconds):
    ids = []
    for i in range(n):
        text = ("Design a distributed rate limiter for a multi-region API gateway and explain the trade-offs "
                f"of token bucket versus sliding window in detail ({label} {i})")
        ids.append(http("POST", f"{api}/tasks", {"task": text})["task_id"])
        time.sleep(spread_seconds / n)
    return ids


def views(api, ids):
    return [http("GET", f"{api}/tasks/{task_id}") for task_id in ids]


def main():
    if not os.path.exists(JAR):
        sys.exit(f"{JAR} is missing: build it first with mvn -q -DskipTests package")
    provider_port, api_port = free_port(), free_port()
    server = ThreadingHTTPServer(("127.0.0.1", provider_port), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    log = tempfile.NamedTemporaryFile(prefix="breaker-outage-", suffix=".log", delete=False)
    env = dict(os.environ, PORT=str(api_port), LLM_PROVIDER="openai",
               LLM_BASE_URL=f"http://127.0.0.1:{provider_port}/v1", BREAKER_RECOVERY_SECONDS="10")
    stack = subprocess.Popen(["java", "-jar", JAR], env=env, stdout=log, stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{api_port}"
    try:
        for _ in range(120):
            try:
                http("GET", f"{api}/health")
                break
            except OSError:
                time.sleep(1)
        else:
            sys.exit(f"the local stack did not start; see {log.name}")

        modes[BIG] = "503"
        start = time.time()
        ids = submit(api, 30, "outage", 6)
        time.sleep(max(0.0, start + 25 - time.time()))
        in_25s = [c for c in calls if c["model"] == BIG and c["t"] - start <= 25]
        tasks = views(api, ids)
        print(f"outage: {len(in_25s)} calls to {BIG} in the 25 s from the first of 30 submits, at "
              f"{[round(c['t'] - start, 1) for c in in_25s]} s")
        print(f"  tasks: {sorted(t['status'] for t in tasks).count('pending')} pending, "
              f"{sum(1 for t in tasks if t['status'] == 'failed')} failed, "
              f"{sum(1 for t in tasks if t.get('waiting'))} showing waiting; attempts charged "
              f"{sum(t.get('attempts', 0) for t in tasks)} (one per call made)")

        modes[BIG] = "ok"
        recovered = time.time()
        while time.time() - recovered < 300:
            tasks = views(api, ids)
            if all(t["status"] == "complete" for t in tasks):
                break
            time.sleep(2)
        statuses = [t["status"] for t in tasks]
        print(f"recovery: {statuses.count('complete')} of 30 complete {time.time() - recovered:.0f} s after the "
              f"model answered again; {len([c for c in calls if c['model'] == BIG])} calls to it in all")

        calls.clear()
        modes[BIG] = "429-once"
        start = time.time()
        limited = submit(api, 8, "rate-limit", 4)
        deadline = time.time() + 120
        while time.time() < deadline and not all(t["status"] == "complete" for t in views(api, limited)):
            time.sleep(2)
        print(f"rate limit (one 429, retry-after: 20): calls at "
              f"{[(round(c['t'] - start, 1), c['mode']) for c in calls]} s")
    finally:
        stack.terminate()
        try:
            stack.wait(30)
        except subprocess.TimeoutExpired:
            stack.kill()
        server.shutdown()
        print(f"local stack log: {log.name}")


if __name__ == "__main__":
    main()
