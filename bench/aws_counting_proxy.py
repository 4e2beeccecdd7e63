"""A counting HTTP proxy in front of moto: every DynamoDB and SQS request is forwarded unchanged and recorded.

Each record: time, service, operation, table or queue, outcome (ok / condition_failed / error), and for DynamoDB
the capacity it would consume on demand, estimated from item sizes as DynamoDB computes them:
  - a write: max(item before, item after) rounded up to 1 KB (a refused conditional write: the item as it was);
  - each global secondary index the write changes: one index write per entry put or deleted, two when an index
    key changes (delete + put), one when only a projected attribute changes;
  - a read: the returned items rounded up to 4 KB, halved when eventually consistent.
To know an item before and after a write, the proxy reads it from moto itself (GetItem straight to moto, not
counted), so sizes are exact for writes that do not race another write to the same item.

Used by bench/request_count.py and bench/load.py; standalone:  python3 bench/aws_counting_proxy.py PORT UPSTREAM_URL
GET /__proxy/records returns the records; POST /__proxy/reset clears them.
"""
import base64
import http.client
import json
import math
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem"}
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade", "host"}


def value_size(v):
    """Bytes DynamoDB counts for one attribute value (its documented sizing rules)."""
    (t, x), = v.items()
    if t == "S":
        return len(x.encode())
    if t == "N":
        digits = x.lstrip("-").replace(".", "").lstrip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if t == "B":
        return len(base64.b64decode(x))
    if t in ("BOOL", "NULL"):
        return 1
    if t == "SS":
        return sum(len(s.encode()) for s in x)
    if t == "NS":
        return sum(value_size({"N": n}) for n in x)
    if t == "BS":
        return sum(len(base64.b64decode(b)) for b in x)
    if t == "M":
        return 3 + sum(len(k.encode()) + value_size(e) + 1 for k, e in x.items())
    if t == "L":
        return 3 + sum(value_size(e) + 1 for e in x)
    return 0


def item_size(item):
    return sum(len(k.encode()) + value_size(v) for k, v in (item or {}).items())


class Upstream:
    """Plain requests to moto, one connection per thread."""

    def __init__(self, url):
        parsed = urllib.parse.urlparse(url)
        self.host, self.port = parsed.hostname, parsed.port
        self.local = threading.local()

    def request(self, method, path, body, headers):
        for attempt in (1, 2):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                return response.status, response.getheaders(), response.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise

    def dynamodb(self, operation, payload):
        status, _, data = self.request("POST", "/", json.dumps(payload).encode(), {
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + operation,
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20200101/us-east-1/dynamodb/aws4_request, "
                             "SignedHeaders=host, Signature=0"})
        return json.loads(data) if status == 200 else None


class Recorder:
    def __init__(self, upstream, sizes=True):
        self.upstream = upstream
        self.sizes = sizes
        self.records = []
        self.lock = threading.Lock()
        self.tables = {}

    def indexes(self, table):
        if table not in self.tables:
            described = self.upstream.dynamodb("DescribeTable", {"TableName": table}) or {}
            t = described.get("Table", {})
            self.tables[table] = {
                "key": [k["AttributeName"] for k in t.get("KeySchema", [])],
                "gsi": [{"name": g["IndexName"], "keys": [k["AttributeName"] for k in g["KeySchema"]],
                         "projection": g["Projection"].get("ProjectionType"),
                         "attributes": g["Projection"].get("NonKeyAttributes", [])}
                        for g in t.get("GlobalSecondaryIndexes", [])]}
        return self.tables[table]

    def current(self, table, key):
        got = self.upstream.dynamodb("GetItem", {"TableName": table, "Key": key, "ConsistentRead": True})
        return (got or {}).get("Item")

    @staticmethod
    def index_entry(index, table_key, item):
        if not item or any(k not in item for k in index["keys"]):
            return None
        if index["projection"] == "ALL":
            return item
        names = set(index["keys"]) | set(table_key)
        if index["projection"] == "INCLUDE":
            names |= set(index["attributes"])
        return {k: v for k, v in item.items() if k in names}

    def index_writes(self, table, before, after):
        meta = self.indexes(table)
        writes = units = 0
        for index in meta["gsi"]:
            old, new = (self.index_entry(index, meta["key"], i) for i in (before, after))
            if old is None and new is None:
                continue
            if old is None or new is None:
                n = 1
            elif any(old.get(k) != new.get(k) for k in index["keys"]):
                n = 2
            elif old != new:
                n = 1
            else:
                n = 0
            writes += n
            size = max(item_size(old) if old else 0, item_size(new) if new else 0) + 100
            units += n * math.ceil(size / 1024)
        return writes, units

    def record(self, entry):
        entry["t"] = time.time()
        with self.lock:
            self.records.append(entry)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    recorder = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/__proxy/records"):
            with self.recorder.lock:
                body = json.dumps(self.recorder.records).encode()
            return self.reply(200, [("Content-Type", "application/json")], body)
        self.forward()

    def do_POST(self):
        if self.path.startswith("/__proxy/reset"):
            with self.recorder.lock:
                self.recorder.records = []
            return self.reply(204, [], b"")
        self.forward()

    def reply(self, status, headers, body):
        self.send_response(status)
        for k, v in headers:
            if k.lower() not in HOP_HEADERS and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        try:
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass   # the client went away (a local stack stopped during a long poll)


    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
        target = self.headers.get("X-Amz-Target", "")
        recorder = self.recorder
        service, operation, payload = None, None, {}
        if target.startswith("DynamoDB_"):
            service, operation = "dynamodb", target.split(".", 1)[1]
        elif target.startswith("AmazonSQS."):
            service, operation = "sqs", target.split(".", 1)[1]
        elif body.startswith(b"Action="):
            service = "sqs"
            operation = urllib.parse.parse_qs(body.decode()).get("Action", ["?"])[0]
        if service:
            try:
                payload = json.loads(body) if body and not body.startswith(b"Action=") else {}
            except ValueError:
                payload = {}
        before = None
        table = payload.get("TableName")
        key = None
        if service == "dynamodb" and operation in WRITE_OPS and recorder.sizes:
            key = payload.get("Key") or {k: v for k, v in payload.get("Item", {}).items()
                                         if k in recorder.indexes(table)["key"]}
            before = recorder.current(table, key)
        started = time.time()
        status, response_headers, data = recorder.upstream.request(self.command, self.path, body, headers)
        elapsed_ms = (time.time() - started) * 1000
        self.reply(status, response_headers, data)
        if not service:
            return
        entry = {"service": service, "op": operation, "status": status, "ms": round(elapsed_ms, 1)}
        text = data.decode(errors="replace")
        if status >= 400:
            entry["outcome"] = "condition_failed" if "ConditionalCheckFailed" in text else "error"
        else:
            entry["outcome"] = "ok"
        try:
            answer = json.loads(data) if data and status == 200 else {}
        except ValueError:
            answer = {}
        if service == "dynamodb":
            entry["table"] = table
            if "IndexName" in payload:
                entry["index"] = payload["IndexName"]
            if operation in WRITE_OPS and recorder.sizes:
                after = recorder.current(table, key) if entry["outcome"] == "ok" else before
                size = max(item_size(before), item_size(after))
                entry["item_bytes"] = item_size(after)
                entry["wru"] = max(1, math.ceil(size / 1024))
                if entry["outcome"] == "ok":
                    entry["index_writes"], entry["index_wru"] = recorder.index_writes(table, before, after)
            elif operation in ("GetItem", "Query", "Scan", "BatchGetItem"):
                consistent = payload.get("ConsistentRead", False)
                if operation == "GetItem":
                    items = [answer["Item"]] if answer.get("Item") else []
                elif operation == "BatchGetItem":
                    items = [i for rows in answer.get("Responses", {}).values() for i in rows]
                else:
                    items = answer.get("Items", [])
                size = sum(item_size(i) for i in items)
                if operation == "BatchGetItem":
                    units = sum(math.ceil(max(1, item_size(i)) / 4096) for i in items)
                else:
                    units = max(1, math.ceil(size / 4096))
                entry["items"] = len(items)
                entry["rru"] = units if consistent else units / 2
        else:
            entry["queue"] = (payload.get("QueueUrl") or "").rsplit("/", 1)[-1]
            if operation == "ReceiveMessage":
                entry["messages"] = len(answer.get("Messages", []))
                entry["receipts"] = [m.get("ReceiptHandle") for m in answer.get("Messages", [])]
            elif operation.endswith("Batch"):
                entry["entries"] = len(payload.get("Entries", []))
                entry["receipts"] = [e.get("ReceiptHandle") for e in payload.get("Entries", [])]
        recorder.record(entry)

    do_PUT = do_DELETE = do_HEAD = do_PATCH = forward


def start(port, upstream_url, sizes=True):
    """Starts the proxy on 127.0.0.1:port (0 = any free port) in a daemon thread; returns (server, recorder)."""
    recorder = Recorder(Upstream(upstream_url), sizes)
    handler = type("BoundHandler", (Handler,), {"recorder": recorder})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, recorder


if __name__ == "__main__":
    srv, _ = start(int(sys.argv[1]), sys.argv[2], sizes="--no-sizes" not in sys.argv)
    print("counting proxy on 127.0.0.1:%d -> %s" % (srv.server_address[1], sys.argv[2]), flush=True)
    threading.Event().wait()
