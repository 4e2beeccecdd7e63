"""A model outage on the local stack, as a user would try it: how many calls reach the broken model.

Usage (from the repo root, after `mvn -q -DskipTests package`): python3 bench/breaker_outage.py

Starts an OpenAI-compatible stand-in whose models can be switched between answering, 503 and 429, moto
(scripts/moto-server) and the local stack (infra/local-stack/target/agent-tasks-local.jar) calling the stand-in
with BREAKER_RECOVERY_SECONDS=10 (threshold 5, the default). Then:
  1. outage: the 70B model answers 503; 30 complex tasks (routed to it) are submitted over 6 s; prints the
     calls it got in the 25 s from the first submit, and the tasks' statuses and attempts;
  2. recovery: the model answers again; waits until all 30 are complete and prints how long that took;
  3. rate limit: the model answers one 429 with retry-after: 20; 8 tasks over 4 s; prints the calls' times.
Stops everything it started (BENCH_KEEP=1 keeps the logs).
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

BIG = "llama-3.3-70b-versatile"
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


def http(method, url, body=None):
    status, answer = benchlib.http(method, url, body)
    if status >= 300:
        raise SystemExit("%s %s answered %d: %s" % (method, url, status, answer))
    return answer


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
    processes = benchlib.Processes()
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api_port = benchlib.free_port()
    api = f"http://127.0.0.1:{api_port}"
    try:
        moto = benchlib.start_moto(processes)
        benchlib.start_local_stack(processes, moto, f"http://127.0.0.1:{server.server_address[1]}/v1", api_port,
                                   {"BREAKER_RECOVERY_SECONDS": "10"})

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
        processes.stop_all()
        server.shutdown()


if __name__ == "__main__":
    main()
