#!/usr/bin/env python3
"""Ingestion benchmark: Alertmanager webhooks into Tocsin over 127.0.0.1.

Builds the release binary, starts `tocsin serve` on a fresh temporary database for every case,
and drives POST /api/v1/ingest/alertmanager with wrk (same load generator and concurrency for
every case): batches of 1, 10 and 100 alerts per request, distinct and repeated label sets.
Every case is bounded in time (--duration seconds). Tocsin answers only after its SQLite
transaction commits, so every 2xx counted here is durable (--durability full by default).

Also measures start-up time (process start to listening) on an empty database.

With --alertmanager, every case also runs against a fresh Alertmanager 0.25 (Debian's
prometheus-alertmanager, no receivers, temporary storage, on 127.0.0.1) posting the same label
sets to its POST /api/v2/alerts with the same wrk settings, and prints the ratio per case.
Alertmanager keeps alerts in memory: its 2xx is not durable.

With --floor, every case also runs against a bare Hummingbird route (the HTTP floor), and
bench/lib/sqlite_floor.py replays the SQL of one such request on its own (the SQLite floor):
what no implementation that commits each request before answering can go below.

    python3 bench/ingest.py [--duration 10] [--connections 8] [--durability full|normal] [--alertmanager] [--floor] [--no-receivers]
                            [--cases distinct:1,repeated:100] [--postgres URL [--instances 2]]
"""
import argparse
import atexit
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench", "lib"))
import sqlite_floor  # noqa: E402  (bench/lib/sqlite_floor.py)
BINARY = os.environ.get("TOCSIN_BINARY") or os.path.join(ROOT, ".build", "release", "tocsin")
LUA = os.path.join(ROOT, "bench", "wrk", "ingest.lua")
# The shipped policies' shapes with contacts that stay on this machine (nothing leaves 127.0.0.1).
POLICIES = os.path.join(ROOT, "Tests", "Fixtures", "policies")
# Tocsin set up like the Alertmanager it is compared with: nothing is delivered while the run lasts.
NO_RECEIVERS = os.path.join(ROOT, "bench", "policies", "no-receivers")


def build():
    subprocess.run(["swift", "build", "-c", "release", "--product", "tocsin"], cwd=ROOT, check=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "tocsin-bench"], cwd=ROOT, check=True)


def start_listening(command, what):
    """Starts a server told to listen on port 0 and finds its port in /proc; exits with its log if it does not start."""
    log = tempfile.NamedTemporaryFile(prefix="tocsin-bench-", suffix=".log", delete=False)
    atexit.register(os.unlink, log.name)  # a server's log is read only when it fails to start
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    deadline = started + 15
    while time.monotonic() < deadline:
        port = listening_port(proc.pid)
        if port:
            return proc, port, time.monotonic() - started
        if proc.poll() is not None:
            break
        time.sleep(0.005)
    proc.kill()
    sys.exit(f"{what} did not start: " + open(log.name).read())


LOG_LEVEL = "info"  # Tocsin's default: a line per request and per ingest, to a file as a service's log would go


def start_server(db, durability, policies=POLICIES):
    # The port comes from /proc (at --log-level warning the "listening" line is not logged).
    return start_listening(
        [BINARY, "serve", "--host", "127.0.0.1", "--port", "0", "--db", db, "--durability", durability,
         "--config", policies, "--log-level", LOG_LEVEL, "--rate-limit", "0"],
        "tocsin serve")


def accepts_connections(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def listening_port(pid):
    """The port the process `pid` listens and answers on, or None while it does not yet."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            match = re.match(r"socket:\[(\d+)\]", target)
            if match:
                inodes.add(match.group(1))
    except OSError:
        return None
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A = LISTEN
                port = int(fields[1].split(":")[1], 16)
                # `serve --port 0` first probes for a free port with a socket of its own: the port
                # counts once the server takes a connection on it.
                return port if accepts_connections(port) else None
    return None


ALERTMANAGER = "/usr/bin/prometheus-alertmanager"


def free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_alertmanager(workdir):
    """A fresh Alertmanager with no receivers: it stores and groups alerts, and notifies nobody."""
    config = os.path.join(workdir, "alertmanager.yml")
    with open(config, "w") as out:
        out.write("route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n")
    port = free_port()
    log = open(os.path.join(workdir, "alertmanager.log"), "w")
    proc = subprocess.Popen(
        [ALERTMANAGER, f"--config.file={config}", f"--storage.path={os.path.join(workdir, 'am-data')}",
         f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=warn"],
        stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            import urllib.request
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1).status == 200:
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("Alertmanager did not start: " + open(log.name).read())


def wrk(url, batch, mode, args, target, pid):
    """Drives `url` with wrk; also reports the CPU the server (`pid`) spent per request, which is
    steadier than requests/s on a machine shared with the load generator."""
    return wrk_side_by_side([url], batch, mode, args, target, [pid])


def wrk_side_by_side(urls, batch, mode, args, target, pids):
    """Drives every URL at once, each with its own wrk and its share of the connections, on label
    sets of its own. Requests are summed; latency is the worse URL's; CPU is every server's."""
    cpu_before = sum(cpu_seconds(pid) for pid in pids)
    connections = max(1, args.connections // len(urls))
    runs = [subprocess.Popen(
        ["wrk", "-t1", f"-c{connections}", f"-d{args.duration}s", "--timeout", "10s", "-s", LUA, url],
        env=dict(os.environ, BATCH=str(batch), MODE=mode, TARGET=target, PREFIX=f"{index}-"),
        stdout=subprocess.PIPE, text=True) for index, url in enumerate(urls)]
    parts = []
    for run in runs:
        out, _ = run.communicate()
        if run.returncode != 0:
            sys.exit(f"wrk failed: {out}")
        parts.append(json.loads(out.split("RESULT ", 1)[1].splitlines()[0]))
    result = {key: sum(part[key] for part in parts) for key in ("requests", "non_2xx", "socket_errors")}
    result.update({key: max(part[key] for part in parts) for key in ("duration_us", "p50_us", "p99_us", "max_us")})
    requests_per_s = sum(part["requests"] / (part["duration_us"] / 1e6) for part in parts)
    result.update(batch=batch, mode=mode, req_per_s=requests_per_s, alerts_per_s=requests_per_s * batch,
                  cpu_us_per_request=(sum(cpu_seconds(pid) for pid in pids) - cpu_before) * 1e6 / max(result["requests"], 1))
    return result


def cpu_seconds(pid):
    """User plus system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_alertmanager_case(batch, mode, args):
    workdir = tempfile.mkdtemp(prefix="tocsin-bench-am-")
    proc, port = start_alertmanager(workdir)
    try:
        return wrk(f"http://127.0.0.1:{port}/api/v2/alerts", batch, mode, args, "alertmanager", proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


def fresh_postgres_database(server):
    """A new, empty database on the PostgreSQL server `server` (a superuser's postgres:// URL), as a URL."""
    psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))[-1]
    name = f"tocsin_bench_{os.getpid()}_{time.monotonic_ns()}"
    subprocess.run([psql, server, "-q", "-c", f"CREATE DATABASE {name}"], check=True)
    base, _, query = server.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name + (("?" + query) if query else "")


def run_case(batch, mode, args, policies=POLICIES):
    """One case on a fresh database: --instances servers on it (several only on PostgreSQL), each
    driven by its own wrk."""
    workdir = tempfile.mkdtemp(prefix="tocsin-bench-")
    db = fresh_postgres_database(args.postgres) if args.postgres else os.path.join(workdir, "tocsin.sqlite")
    servers = []
    try:
        for _ in range(args.instances):
            proc, port, _ = start_server(db, args.durability, policies)
            servers.append((proc, port))
        result = wrk_side_by_side([f"http://127.0.0.1:{port}/api/v1/ingest/alertmanager" for _, port in servers],
                                  batch, mode, args, "tocsin", [proc.pid for proc, _ in servers])
        result["instances"] = args.instances
        if not args.postgres:
            result["db_bytes"] = sum(os.path.getsize(os.path.join(workdir, f)) for f in os.listdir(workdir))
        stop(servers)
        if args.floor and not args.postgres:
            # What SQLite alone costs for the rows of one such request (bench/lib/sqlite_floor.py).
            result["sqlite_floor_cpu_us"] = sqlite_floor.measure(
                db, mode, batch, batches={1: 3000, 10: 1500}.get(batch, 300), durability=args.durability)
        return result
    finally:
        stop(servers)
        shutil.rmtree(workdir, ignore_errors=True)


def stop(servers):
    for proc, _ in servers:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)


FLOOR = os.path.join(ROOT, ".build", "release", "tocsin-bench")


def run_floor_case(batch, mode, args):
    """The same load against a bare Hummingbird route that answers without doing anything."""
    proc, port, _ = start_listening([FLOOR, "http-floor", "0"], "tocsin-bench http-floor")
    try:
        return wrk(f"http://127.0.0.1:{port}/api/v1/ingest/alertmanager", batch, mode, args, "tocsin", proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def startup_time(args, runs=5):
    times = []
    for _ in range(runs):
        workdir = tempfile.mkdtemp(prefix="tocsin-bench-")
        proc, _, elapsed = start_server(os.path.join(workdir, "tocsin.sqlite"), args.durability)
        times.append(elapsed)
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    return sorted(times)[len(times) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per case (1-60)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--durability", choices=["full", "normal"], default="full")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--postgres", metavar="URL",
                        help="run Tocsin on a new database on this PostgreSQL server (a superuser's postgres:// URL) instead of SQLite")
    parser.add_argument("--instances", type=int, default=1,
                        help="with --postgres: this many Tocsin instances on the one database, each driven by its own wrk "
                             "with its share of --connections (requests summed, latency the worse instance's)")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--alertmanager", action="store_true", help="run every case against Alertmanager 0.25 too")
    parser.add_argument("--floor", action="store_true",
                        help="also run every case against a bare Hummingbird route (tocsin-bench http-floor), and "
                             "measure what SQLite alone costs for the same rows (bench/lib/sqlite_floor.py)")
    parser.add_argument("--no-receivers", action="store_true",
                        help="run Tocsin with bench/policies/no-receivers instead of paging (nothing is delivered)")
    parser.add_argument("--log-level", default="info", help="Tocsin's --log-level (default: info, Tocsin's own default)")
    parser.add_argument("--cases", help="only these cases, e.g. distinct:1,repeated:100 (default: all six)")
    args = parser.parse_args()
    args.duration = max(1, min(args.duration, 60))
    if args.instances < 1 or (args.instances > 1 and not args.postgres):
        sys.exit("--instances: 1, or more with --postgres (instances share a database only on PostgreSQL)")
    global LOG_LEVEL
    LOG_LEVEL = args.log_level
    if shutil.which("wrk") is None:
        sys.exit("wrk is required: apt-get install wrk")
    if not args.skip_build:
        build()

    cases = [(mode, batch) for mode in ("distinct", "repeated") for batch in (1, 10, 100)]
    if args.cases:
        wanted = {tuple(case.split(":")) for case in args.cases.split(",")}
        cases = [(mode, batch) for mode, batch in cases if (mode, str(batch)) in wanted]
        if not cases:
            sys.exit("--cases: expected MODE:BATCH pairs such as distinct:1,repeated:100")
    results = [run_case(batch, mode, args, NO_RECEIVERS if args.no_receivers else POLICIES) for mode, batch in cases]
    if args.alertmanager:
        if not os.access(ALERTMANAGER, os.X_OK):
            sys.exit("Alertmanager is required: apt-get install prometheus-alertmanager")
        # Like for like: Alertmanager routes to a receiver with no integrations, Tocsin to a policy
        # whose first page is a year away (bench/policies/no-receivers).
        alike = [run_case(batch, mode, args, NO_RECEIVERS) for mode, batch in cases]
        peers = [run_alertmanager_case(batch, mode, args) for mode, batch in cases]
        floors = [run_floor_case(batch, mode, args) for mode, batch in cases] if args.floor else [None] * len(cases)
        print(f"\nTocsin (durability={args.durability}, committed before answering, no receivers) against "
              f"Alertmanager 0.25 (in memory, no receivers), wrk -t1 -c{args.connections} -d{args.duration}s")
        print("| label sets | alerts/request | Tocsin req/s | Alertmanager req/s | ratio | Tocsin p99 ms | "
              "Alertmanager p99 ms | Tocsin CPU µs/req | Alertmanager CPU µs/req | HTTP floor req/s | "
              "HTTP floor CPU µs/req | Tocsin CPU ÷ floor CPU | SQLite floor CPU µs/req | Tocsin CPU ÷ (HTTP + SQLite floors) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for ours, theirs, floor, paging in zip(alike, peers, floors, results):
            floor_text = (f"{floor['req_per_s']:,.0f} | {floor['cpu_us_per_request']:,.0f} | "
                          f"{ours['cpu_us_per_request'] / floor['cpu_us_per_request']:.1f}×") if floor else "– | – | –"
            database = ours.get("sqlite_floor_cpu_us")
            floor_text += (f" | {database:,.0f} | {ours['cpu_us_per_request'] / (floor['cpu_us_per_request'] + database):.1f}×"
                           if floor and database else " | – | –")
            print(f"| {ours['mode']} | {ours['batch']} | {ours['req_per_s']:,.0f} | {theirs['req_per_s']:,.0f} | "
                  f"{ours['req_per_s'] / theirs['req_per_s']:.2f}× | {ours['p99_us'] / 1000:.2f} | "
                  f"{theirs['p99_us'] / 1000:.2f} | {ours['cpu_us_per_request']:,.0f} | "
                  f"{theirs['cpu_us_per_request']:,.0f} | {floor_text} |")
            paging["alertmanager"] = theirs
            paging["no_receivers"] = ours
            paging["http_floor"] = floor
    elif args.floor:
        for (mode, batch), paging in zip(cases, results):
            paging["http_floor"] = run_floor_case(batch, mode, args)
            print(f"HTTP floor {mode} {batch}: {paging['http_floor']['req_per_s']:,.0f} requests/s, "
                  f"{paging['http_floor']['cpu_us_per_request']:,.0f} µs of CPU per request")
            if "sqlite_floor_cpu_us" in paging:
                print(f"SQLite floor {mode} {batch}: {paging['sqlite_floor_cpu_us']:,.0f} µs of CPU per request "
                      "(the incident's rows alone; with paging Tocsin writes more)")
    startup = startup_time(args)
    setup = "no receivers (bench/policies/no-receivers)" if args.no_receivers else "with paging (Tests/Fixtures/policies)"
    store = f"PostgreSQL, {args.instances} instance(s)" if args.postgres else "SQLite"
    print(f"\nTocsin ingest {setup} on {store}, wrk -t1 -c{args.connections} "
          f"-d{args.duration}s, durability={args.durability}, {os.cpu_count()} cores")
    print(f"| label sets | alerts/request | requests/s | alerts/s | p50 ms | p99 ms | max ms | CPU µs/req | non-2xx |")
    print(f"|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['mode']} | {r['batch']} | {r['req_per_s']:,.0f} | {r['alerts_per_s']:,.0f} | "
              f"{r['p50_us'] / 1000:.2f} | {r['p99_us'] / 1000:.2f} | {r['max_us'] / 1000:.1f} | "
              f"{r['cpu_us_per_request']:,.0f} | {r['non_2xx'] + r['socket_errors']} |")
    print(f"\nstart-up on an empty database (median of 5): {startup * 1000:.0f} ms")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"cases": results, "startup_s": startup, "args": vars(args)}, out, indent=2)


if __name__ == "__main__":
    main()
