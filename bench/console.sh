#!/usr/bin/env bash
# The web console with 1,000 open incidents: starts `tocsin serve` on a fresh temporary database
# with the shipped policies, opens 1,000 incidents (one distinct critical alert each, posted one
# after another), signs in at /ui/login, then asks for each page with `wrk -t1 -c1 --latency`
# (one request at a time, so the latency is the server's time to render plus loopback) for
# DURATION seconds, and prints its size, latency and requests/s. Everything stays on 127.0.0.1.
#
#   bench/console.sh [BINARY] [DURATION]     (default: .build/release/tocsin, 4)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BINARY=${1:-$ROOT/.build/release/tocsin}
DURATION=${2:-4}
POLICIES="$ROOT/escalation-policies"
source "$ROOT/bench/lib/serve.sh"
python3 - "$BASE" <<'PY'
import http.client, json, sys, urllib.parse
url = urllib.parse.urlparse(sys.argv[1])
connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
for n in range(1000):
    alert = {"status": "firing", "labels": {"alertname": "DiskFull", "severity": "critical", "instance": f"db{n}:9100"},
             "annotations": {"summary": f"Disk almost full on db{n}", "description": "/var/lib/postgresql is 97% full",
                             "runbook_url": "https://runbooks.example.test/DiskFull"},
             "startsAt": "2026-11-26T23:32:42.000Z", "generatorURL": "http://prometheus.example.test:9090/graph"}
    body = json.dumps({"version": "4", "status": "firing", "receiver": "oncall-critical", "groupKey": f"bench-{n}",
                       "groupLabels": {"instance": f"db{n}:9100"}, "commonLabels": alert["labels"],
                       "commonAnnotations": alert["annotations"], "externalURL": "http://127.0.0.1:9093",
                       "alerts": [alert]})
    connection.request("POST", "/api/v1/ingest/alertmanager", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    assert response.status == 200, response.status
PY
COOKIE=$(curl -s -o /dev/null -D - --data-urlencode "token=$TOKEN" "$BASE/ui/login" | grep -io 'tocsin_session=[0-9a-f]*')
[ -n "$COOKIE" ] || { echo "could not sign in" >&2; exit 1; }
for page in "/ui/incidents?state=open" "/ui/incidents/500" "/ui/oncall" "/ui/deliveries" "/ui/heartbeats" "/ui/maintenance"; do
    bytes=$(curl -s -H "Cookie: $COOKIE" "$BASE$page" | wc -c)
    echo "== $page: $bytes bytes"
    wrk -t1 -c1 "-d${DURATION}s" --latency -H "Cookie: $COOKIE" "$BASE$page" | grep -E "^\s+(Latency|50%|99%)|Requests/sec"
done
