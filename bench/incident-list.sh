#!/usr/bin/env bash
# The incident list under load: starts `tocsin serve` on a fresh temporary database (durability
# full, no receivers), fills it for 3 s with distinct batches of 10 alerts (wrk -c8), then drives
# GET /api/v1/incidents?$LIST_QUERY (default state=all&limit=50) with a bearer token for DURATION seconds (wrk -t1 -c8)
# and prints wrk's latency and requests/s. With WRITES_PER_SECOND, a new incident is opened that
# many times a second while the list is read (bench/lib/trickle.py), so that the list changes as
# it would on a busy installation. Everything stays on 127.0.0.1.
#
#   bench/incident-list.sh [BINARY] [DURATION] [WRITES_PER_SECOND]    (default: .build/release/tocsin, 6, 0)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BINARY=${1:-$ROOT/.build/release/tocsin}
DURATION=${2:-6}
WRITES_PER_SECOND=${3:-0}
# A page further back (`before=…`) is read from the database every time; a first page is not.
LIST_QUERY=${LIST_QUERY:-state=all&limit=50}
POLICIES="$ROOT/bench/policies/no-receivers"
SERVE_OPTIONS=(--durability full)
source "$ROOT/bench/lib/serve.sh"
BATCH=10 MODE=distinct wrk -t1 -c8 -d3s -s "$ROOT/bench/wrk/ingest.lua" "$BASE/api/v1/ingest/alertmanager" > /dev/null
if [ "$WRITES_PER_SECOND" != 0 ]; then
    python3 "$ROOT/bench/lib/trickle.py" "$BASE/api/v1/ingest/alertmanager" "$WRITES_PER_SECOND" "$DURATION" &
    WRITER=$!
fi
wrk -t1 -c8 "-d${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/incidents?$LIST_QUERY" \
    | grep -E "^ +Latency +[0-9]|99%|Requests/sec"
[ -z "${WRITER:-}" ] || wait "$WRITER"
