#!/usr/bin/env bash
# The incident list under load: starts `tocsin serve` on a fresh temporary database (durability
# full, no receivers), fills it for 3 s with distinct batches of 10 alerts (wrk -c8), then drives
# GET /api/v1/incidents?state=all&limit=50 with a bearer token for DURATION seconds (wrk -t1 -c8)
# and prints wrk's latency and requests/s. Everything stays on 127.0.0.1.
#
#   bench/incident-list.sh [BINARY] [DURATION]     (default: .build/release/tocsin, 6)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BINARY=${1:-$ROOT/.build/release/tocsin}
DURATION=${2:-6}
command -v wrk > /dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'kill "$PID" 2> /dev/null || true; wait "$PID" 2> /dev/null || true; rm -rf "$WORK"' EXIT
TOKEN=$("$BINARY" users add bench --email bench@example.com --scopes admin --db "$WORK/tocsin.sqlite" --create | tail -1)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BINARY" serve --host 127.0.0.1 --port "$PORT" --db "$WORK/tocsin.sqlite" --durability full \
    --config "$ROOT/bench/policies/no-receivers" --log-level warning --rate-limit 0 > "$WORK/log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
BATCH=10 MODE=distinct wrk -t1 -c8 -d3s -s "$ROOT/bench/wrk/ingest.lua" "http://127.0.0.1:$PORT/api/v1/ingest/alertmanager" > /dev/null
wrk -t1 -c8 "-d${DURATION}s" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/incidents?state=all&limit=50" \
    | grep -E "Latency|Requests/sec"
