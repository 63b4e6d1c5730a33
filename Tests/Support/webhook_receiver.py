#!/usr/bin/env python3
"""A webhook receiver for Tocsin's tests, on 127.0.0.1.

Answers POSTs with scripted statuses and records every request (time, path, headers, body, the
sender's port, which tells connections apart) as one
JSON line in --log. Answers any GET with one metric, so it can also be a Prometheus scrape target. Prints "PORT <n>" on its first line of output once it listens.

    webhook_receiver.py --log FILE [--port N] [--script 503,503,200] [--hang-first SECONDS] [--body-bytes N]

--script: statuses to answer, in order; the last one repeats. "503:retry-after=2" adds a header.
--hang-first: the first request is held this long before it is answered (to test crashes mid-delivery).
--hang-all: every request is held this long before it is answered (a receiver that hangs).
--body-bytes: answer with a body of this many bytes, streamed (to test that a sender caps what it reads).
"""
import argparse
import signal
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--log", required=True)
parser.add_argument("--script", default="200")
parser.add_argument("--hang-first", type=float, default=0)
parser.add_argument("--hang-all", type=float, default=0)
parser.add_argument("--body-bytes", type=int, default=0)
args = parser.parse_args()

# A parent may have spawned us with signals blocked; stop cleanly on SIGTERM either way.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

script = args.script.split(",")
lock = threading.Lock()
state = {"count": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with lock:
            index = state["count"]
            state["count"] += 1
            with open(args.log, "a") as log:
                log.write(json.dumps({
                    "time": time.time(), "path": self.path, "headers": dict(self.headers.items()),
                    "client_port": self.client_address[1],
                    "body": body.decode("utf-8", "replace"),
                }) + "\n")
        if index == 0 and args.hang_first > 0:
            time.sleep(args.hang_first)
        if args.hang_all > 0:
            time.sleep(args.hang_all)
        spec = script[min(index, len(script) - 1)].split(":")
        status = int(spec[0])
        payload = b'{"ok": true}' if status < 300 else b'{"error": "scripted failure"}'
        self.send_response(status)
        for extra in spec[1:]:
            name, value = extra.split("=", 1)
            self.send_header(name.replace("retry-after", "Retry-After"), value)
        self.send_header("Content-Type", "application/json")
        if args.body_bytes > 0:
            self.send_header("Content-Length", str(args.body_bytes))
            self.end_headers()
            chunk = b"x" * 65536
            sent = 0
            try:
                while sent < args.body_bytes:
                    piece = chunk[:args.body_bytes - sent]
                    self.wfile.write(piece)
                    sent += len(piece)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender stopped reading, as it should
            with lock, open(args.log + ".sent", "w") as note:
                note.write(str(sent))
            return
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        # Also a Prometheus scrape target: a test stops the receiver to make `up` drop to 0.
        payload = b"# TYPE tocsin_test_target gauge\ntocsin_test_target 1\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *arguments):
        pass


server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
print(f"PORT {server.server_address[1]}", flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
