"""An OpenAI-compatible provider stand-in for trying the local stack by hand.

Usage: python3 bench/provider_standin.py PORT [SLOW_SECONDS [LATENCY_MS [ANSWER_CHARS]]]
POST /v1/chat/completions answers like Groq after LATENCY_MS (default 0) with an answer of ANSWER_CHARS
characters (default: a short one); the task text picks the behaviour:
  [503xN]  503 on the first N calls, then 200      [429]   429 with retry-after: 3 once, then 200
  [400]    400 always                               [slow]  sleeps SLOW_SECONDS (default 20) first
GET / returns every call made so far (time, task, call number, model) as JSON.
"""
import json, re, sys, time, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
calls = []
lock = threading.Lock()
counts = {}
def answer(k, model):
    text = "answer %d from %s" % (k, model)
    if len(sys.argv) > 4:
        text = (text + " " + "lorem ipsum dolor sit amet " * (int(sys.argv[4]) // 27 + 1))[:int(sys.argv[4])]
    return text
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        body = json.dumps(calls).encode()
        self.send_response(200); self.send_header("Content-Type","application/json"); self.send_header("Content-Length",str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0)); req = json.loads(self.rfile.read(n))
        task = req["messages"][-1]["content"]; model = req["model"]
        with lock:
            counts[task] = counts.get(task, 0) + 1; k = counts[task]
            calls.append({"t": time.time(), "task": task, "n": k, "model": model})
        status, headers = 200, {}
        failures = re.search(r"\[503x(\d+)\]", task)
        if failures and k <= int(failures.group(1)): status = 503
        if "[429]" in task and k == 1: status, headers = 429, {"retry-after": "3"}
        if "[400]" in task: status = 400
        if "[slow]" in task: time.sleep(float(sys.argv[2]) if len(sys.argv) > 2 else 20)
        if len(sys.argv) > 3: time.sleep(float(sys.argv[3]) / 1000)
        if status == 200:
            body = {"id":"chatcmpl-x","object":"chat.completion","created":int(time.time()),"model":model,
                    "choices":[{"index":0,"message":{"role":"assistant","content":answer(k, model)},"finish_reason":"stop"}],
                    "usage":{"prompt_tokens":30,"completion_tokens":12,"total_tokens":42}}
        else:
            body = {"error":{"message":"stand-in error %d" % status,"type":"test","code":str(status)}}
        data = json.dumps(body).encode()
        self.send_response(status)
        for h,v in headers.items(): self.send_header(h,v)
        self.send_header("Content-Type","application/json"); self.send_header("Content-Length",str(len(data))); self.end_headers(); self.wfile.write(data)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
