#!/usr/bin/env python3
"""Resources: idle CPU, and memory, database size, list latency and start-up with 100,000 open alerts.

Runs the release `tocsin serve` and a fresh Alertmanager 0.25 (Debian's prometheus-alertmanager,
no receivers) side by side on 127.0.0.1, each on temporary storage:

1. idle CPU: CPU seconds each process uses over --idle seconds with nothing to do;
2. 100,000 open alerts (--alerts), posted in batches of 100 distinct alerts (1,000 incidents of
   100 alerts for Tocsin, the same label sets to Alertmanager's /api/v2/alerts): resident memory
   of each process afterwards, Tocsin's database size;
3. with that database: p99 of Tocsin's incident list (GET /api/v1/incidents?limit=50, wrk -c8 for
   --duration seconds) and its start-up time (process start to listening).

    python3 bench/resources.py [--alerts 100000] [--idle 60] [--duration 10] [--skip-build]
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ingest  # noqa: E402  (start_server, start_alertmanager, build, BINARY, POLICIES)

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def post(url, body, headers=None):
    request = urllib.request.Request(url, data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def alerts(group, count):
    return [{"labels": {"alertname": "BenchAlert", "cluster": "eu1", "instance": f"{group}-{i}:9100", "job": "node",
                        "severity": "critical"},
             "annotations": {"summary": f"bench alert {i}"}, "startsAt": "2026-11-26T23:32:42.33Z",
             "generatorURL": "http://prometheus.example.test:9090/graph"} for i in range(count)]


def fill_tocsin(port, total):
    for group in range(total // 100):
        batch = alerts(f"g{group}", 100)
        for alert in batch:
            alert["status"] = "firing"
            alert["endsAt"] = "0001-01-01T00:00:00Z"
        body = {"version": "4", "receiver": "bench", "status": "firing", "groupKey": f"{{}}:{{group=\"g{group}\"}}",
                "groupLabels": {"alertname": "BenchAlert", "group": f"g{group}"}, "commonLabels": {"alertname": "BenchAlert"},
                "commonAnnotations": {}, "externalURL": "", "truncatedAlerts": 0, "alerts": batch}
        post(f"http://127.0.0.1:{port}/api/v1/ingest/alertmanager", json.dumps(body))


def fill_alertmanager(port, total):
    for group in range(total // 100):
        post(f"http://127.0.0.1:{port}/api/v2/alerts", json.dumps(alerts(f"g{group}", 100)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alerts", type=int, default=100_000, help="open alerts (multiple of 100, at most 1,000,000)")
    parser.add_argument("--idle", type=int, default=60, help="seconds of idle CPU measurement (5-300)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of the list benchmark (1-60)")
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    args.alerts = max(100, min(args.alerts, 1_000_000)) // 100 * 100
    args.idle = max(5, min(args.idle, 300))
    args.duration = max(1, min(args.duration, 60))
    if not args.skip_build:
        ingest.build()
    workdir = tempfile.mkdtemp(prefix="tocsin-bench-resources-")
    db = os.path.join(workdir, "tocsin.sqlite")
    token = subprocess.run([ingest.BINARY, "users", "add", "bench", "--email", "bench@example.com", "--db", db, "--create"],
                           capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    tocsin, port, _ = ingest.start_server(db, "full")
    am, am_port = ingest.start_alertmanager(workdir)
    try:
        time.sleep(2)
        before = (cpu_seconds(tocsin.pid), cpu_seconds(am.pid))
        time.sleep(args.idle)
        after = (cpu_seconds(tocsin.pid), cpu_seconds(am.pid))
        idle = [(b - a) / args.idle * 100 for a, b in zip(before, after)]
        print(f"idle CPU over {args.idle} s: Tocsin {idle[0]:.2f}% of a core, Alertmanager {idle[1]:.2f}%")

        started = time.monotonic()
        fill_tocsin(port, args.alerts)
        tocsin_fill = time.monotonic() - started
        started = time.monotonic()
        fill_alertmanager(am_port, args.alerts)
        am_fill = time.monotonic() - started
        time.sleep(3)
        size = sum(os.path.getsize(os.path.join(workdir, f)) for f in os.listdir(workdir) if f.startswith("tocsin.sqlite"))
        print(f"{args.alerts:,} open alerts ({args.alerts // 100:,} incidents): posted in {tocsin_fill:.1f} s to Tocsin, "
              f"{am_fill:.1f} s to Alertmanager")
        print(f"resident memory: Tocsin {rss_mib(tocsin.pid):.0f} MiB, Alertmanager {rss_mib(am.pid):.0f} MiB; "
              f"Tocsin database {size / 2**20:.1f} MiB")

        out = subprocess.run(
            ["wrk", "-t1", "-c8", f"-d{args.duration}s", "--latency", "-H", f"Authorization: Bearer {token}",
             f"http://127.0.0.1:{port}/api/v1/incidents?state=all&limit=50"],
            capture_output=True, text=True, check=True).stdout
        p99 = next((line.split()[1] for line in out.splitlines() if line.strip().startswith("99%")), "?")
        rate = next((line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec")), "?")
        if "Non-2xx" in out:
            sys.exit("the incident list answered non-2xx: " + out)
        print(f"incident list (GET /api/v1/incidents?limit=50, wrk -c8 -d{args.duration}s): {rate} requests/s, p99 {p99}")
    finally:
        tocsin.terminate()
        tocsin.wait(timeout=30)
        am.terminate()
        am.wait(timeout=30)
    times = []
    for _ in range(3):
        proc, _, elapsed = ingest.start_server(db, "full")
        times.append(elapsed)
        proc.terminate()
        proc.wait(timeout=30)
    print(f"start-up with that database (median of 3): {sorted(times)[1] * 1000:.0f} ms")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
