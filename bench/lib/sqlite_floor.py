#!/usr/bin/env python3
"""The SQLite floor of ingestion: the CPU that writing one request's rows durably costs SQLite
itself, with nothing of Tocsin around it.

Takes the schema and one row of each table from a database Tocsin has just ingested into (a
finished bench/ingest.py case), then replays, through Python's sqlite3 module (C calls, about
0.85 µs of Python per statement on this machine, included), the statements Tocsin's ingest runs
for one request (TocsinStore.ingest, SQLite, a policy whose first page is far away):

- distinct (a new incident): the newest incident of the group key; the incident; each alert; its
  `opened` event; its escalation; the escalation's timer;
- repeated (the same alerts sent again): the incident; the alerts' stored rows; the incident's
  and the alerts' last-seen times.

Same journal (WAL), `synchronous` (full or normal) and foreign keys as Tocsin; GROUP batches per
transaction, as Tocsin's group commit shares one commit between the requests that wait for the
writer (2.3 to 3.4 on average under wrk -c8 when it was counted). Prints CPU µs per batch.

    python3 bench/lib/sqlite_floor.py TOCSIN_DB distinct|repeated ALERTS [--group 3] [--batches 3000] [--durability full]
"""
import argparse
import os
import shutil
import sqlite3
import tempfile
import time

TABLES = ("incidents", "incident_alerts", "timeline_events", "escalations")


def template(source):
    """The four tables' schema and one row of each (without its id), from a database Tocsin wrote."""
    source.row_factory = sqlite3.Row
    schema = [row[0] for row in source.execute(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN (?, ?, ?, ?) ORDER BY type = 'index'", TABLES)]
    rows = {}
    for table in TABLES:
        row = source.execute(f"SELECT * FROM {table} LIMIT 1").fetchone()
        if row is None:
            raise SystemExit(f"{table} is empty: run a distinct case into the database first")
        rows[table] = {key: row[key] for key in row.keys() if key != "id"}
    return schema, rows


def insert_statement(table, row):
    return f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"


def measure(tocsin_db, mode, alerts, group=3, batches=3000, durability="full"):
    """CPU µs per batch of `alerts` alerts, `group` batches to a transaction."""
    schema, rows = template(sqlite3.connect(tocsin_db))
    workdir = tempfile.mkdtemp(prefix="tocsin-sqlite-floor-")
    try:
        db = sqlite3.connect(os.path.join(workdir, "floor.sqlite"), isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute(f"PRAGMA synchronous = {durability.upper()}")
        db.execute("PRAGMA foreign_keys = ON")
        for statement in schema:
            db.execute(statement)
        incident, alert, event, escalation = (rows[table] for table in TABLES)
        statements = {table: insert_statement(table, rows[table]) for table in TABLES}
        newest = "SELECT * FROM incidents WHERE receiver = ? AND group_key = ? ORDER BY id DESC LIMIT 1"

        def values(row, **changes):
            return [changes.get(key, value) for key, value in row.items()]

        if mode == "repeated":
            db.execute("BEGIN IMMEDIATE")
            incident_id = db.execute(statements["incidents"], values(incident, group_key="repeated")).lastrowid
            fingerprints = [f"{n:016x}" for n in range(alerts)]
            for fingerprint in fingerprints:
                db.execute(statements["incident_alerts"], values(alert, incident_id=incident_id, fingerprint=fingerprint))
            db.execute("COMMIT")
            listed = "[" + ",".join(f'"{fingerprint}"' for fingerprint in fingerprints) + "]"

        started = time.process_time()
        for first in range(0, batches, group):
            db.execute("BEGIN IMMEDIATE")
            for number in range(first, min(first + group, batches)):
                if mode == "distinct":
                    key = f"distinct-{number}"
                    db.execute(newest, (incident["receiver"], key)).fetchone()
                    incident_id = db.execute(statements["incidents"], values(incident, group_key=key)).lastrowid
                    for n in range(alerts):
                        db.execute(statements["incident_alerts"],
                                   values(alert, incident_id=incident_id, fingerprint=f"{number:08x}{n:08x}"))
                    db.execute(statements["timeline_events"], values(event, incident_id=incident_id))
                    escalation_id = db.execute(statements["escalations"], values(escalation, incident_id=incident_id)).lastrowid
                    db.execute("UPDATE escalations SET next_due_at = ? WHERE id = ?", (escalation["next_due_at"], escalation_id))
                else:
                    db.execute(newest, (incident["receiver"], "repeated")).fetchone()
                    db.execute("SELECT fingerprint, status, labels, annotations, starts_at, ends_at, generator_url "
                               "FROM incident_alerts WHERE incident_id = ? AND fingerprint IN (SELECT value FROM json_each(?))",
                               (incident_id, listed)).fetchall()
                    db.execute("UPDATE incidents SET last_seen_at = ? WHERE id = ?", (incident["last_seen_at"], incident_id))
                    db.execute("UPDATE incident_alerts SET last_seen_at = ? "
                               "WHERE incident_id = ? AND fingerprint IN (SELECT value FROM json_each(?))",
                               (incident["last_seen_at"], incident_id, listed))
            db.execute("COMMIT")
        return (time.process_time() - started) * 1e6 / batches
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", help="a SQLite database Tocsin has ingested distinct alerts into")
    parser.add_argument("mode", choices=["distinct", "repeated"])
    parser.add_argument("alerts", type=int, help="alerts per batch (1-1000)")
    parser.add_argument("--group", type=int, default=3, help="batches per transaction (default 3)")
    parser.add_argument("--batches", type=int, default=3000, help="batches in all (bounded: at most 100,000)")
    parser.add_argument("--durability", choices=["full", "normal"], default="full")
    args = parser.parse_args()
    if not 1 <= args.alerts <= 1000 or not 1 <= args.batches <= 100_000 or args.group < 1:
        raise SystemExit("alerts 1-1000, --batches 1-100000, --group at least 1")
    cost = measure(args.database, args.mode, args.alerts, args.group, args.batches, args.durability)
    print(f"SQLite floor, {args.mode} batches of {args.alerts}, {args.group} to a transaction: {cost:,.0f} µs of CPU per batch")


if __name__ == "__main__":
    main()
