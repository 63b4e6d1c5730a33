# Sourced by the shell benchmarks: starts `tocsin serve` ($BINARY) on 127.0.0.1 on a fresh temporary
# database with an admin user, with the policies in $POLICIES and any extra serve options given,
# and waits until it answers. Sets WORK, TOKEN, PORT, PID and BASE; stops the server and removes
# the database on exit. Needs wrk.
command -v wrk > /dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'kill "$PID" 2> /dev/null || true; wait "$PID" 2> /dev/null || true; rm -rf "$WORK"' EXIT
TOKEN=$("$BINARY" users add bench --email bench@example.com --scopes admin --db "$WORK/tocsin.sqlite" --create | tail -1)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BINARY" serve --host 127.0.0.1 --port "$PORT" --db "$WORK/tocsin.sqlite" \
    --config "$POLICIES" --log-level warning --rate-limit 0 ${SERVE_OPTIONS[@]+"${SERVE_OPTIONS[@]}"} > "$WORK/log" 2>&1 &
PID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -sf -o /dev/null "$BASE/healthz" && break; sleep 0.1; done
