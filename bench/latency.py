#!/usr/bin/env python3
"""Alert-to-page latency: from the ingest POST to the webhook arriving at a local receiver.

Starts a webhook receiver (Tests/Support/webhook_receiver.py) and the release `tocsin serve` on a
fresh database, with a policy that pages one person by webhook at once. Then fires --count
critical alerts, each a new incident, one after another (--gap seconds apart), and measures,
for each, the time from just before the POST is sent to the receiver's arrival timestamp (same
machine, same clock). Bounded: --count alerts, at most --timeout seconds each.

    python3 bench/latency.py [--count 200] [--gap 0.05] [--durability full|normal] [--skip-build]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from ingest import BINARY, build, listening_port  # noqa: E402

POLICY = """
people:
  - name: oncall
    webhook: http://127.0.0.1:{port}/page
routes:
  - policy: page
policies:
  - name: page
    steps:
      - {{after: 0s, notify: [person: oncall]}}
"""


def payload(index):
    group = f"latency-{index}"
    return json.dumps({
        "version": "4", "status": "firing", "receiver": "bench", "groupKey": "{}:{group=\"%s\"}" % group,
        "groupLabels": {"group": group}, "commonLabels": {"alertname": "Latency", "severity": "critical"},
        "commonAnnotations": {"summary": "latency probe"}, "externalURL": "", "truncatedAlerts": 0,
        "alerts": [{"status": "firing", "labels": {"alertname": "Latency", "severity": "critical", "group": group},
                    "annotations": {}, "startsAt": "2026-11-26T23:32:42Z", "endsAt": "0001-01-01T00:00:00Z"}],
    }).encode()


def percentile(values, p):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--gap", type=float, default=0.05)
    parser.add_argument("--timeout", type=float, default=5)
    parser.add_argument("--durability", choices=["full", "normal"], default="full")
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    args.count = max(1, min(args.count, 2000))
    if not args.skip_build:
        build()
    work = tempfile.mkdtemp(prefix="tocsin-latency-")
    hooks = os.path.join(work, "hooks.jsonl")
    open(hooks, "w").close()
    receiver = subprocess.Popen(
        ["/usr/bin/python3", os.path.join(ROOT, "Tests", "Support", "webhook_receiver.py"), "--log", hooks],
        stdout=subprocess.PIPE, text=True)
    server = None
    try:
        receiver_port = int(receiver.stdout.readline().split()[1])
        os.makedirs(os.path.join(work, "policies"))
        with open(os.path.join(work, "policies", "all.yaml"), "w") as policy:
            policy.write(POLICY.format(port=receiver_port))
        server = subprocess.Popen(
            [BINARY, "serve", "--host", "127.0.0.1", "--port", "0", "--db", os.path.join(work, "tocsin.sqlite"),
             "--config", os.path.join(work, "policies"), "--durability", args.durability, "--log-level", "warning"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "serve.log"), "w"))
        deadline = time.time() + 15
        port = None
        while port is None and time.time() < deadline:
            port = listening_port(server.pid)
            time.sleep(0.01)
        url = f"http://127.0.0.1:{port}/api/v1/ingest/alertmanager"
        latencies = []
        for index in range(args.count):
            request = urllib.request.Request(url, data=payload(index), headers={"Content-Type": "application/json"})
            sent = time.time()
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
            arrived = None
            wait_until = time.time() + args.timeout
            while arrived is None and time.time() < wait_until:
                with open(hooks) as log:
                    lines = log.readlines()
                if len(lines) > index and lines[index].endswith("\n"):
                    arrived = json.loads(lines[index])["time"]
                else:
                    time.sleep(0.0005)
            if arrived is None:
                sys.exit(f"page {index} did not arrive within {args.timeout}s")
            latencies.append((arrived - sent) * 1000)
            time.sleep(args.gap)
        print(f"alert-to-page latency, {args.count} critical incidents, durability={args.durability}, "
              f"{os.cpu_count()} cores: p50 {percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} ms, "
              f"max {max(latencies):.1f} ms")
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        receiver.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
