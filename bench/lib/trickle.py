#!/usr/bin/env python3
"""Posts one new critical alert (a new incident) to Tocsin's Alertmanager webhook RATE times a
second for DURATION seconds, on 127.0.0.1: the writes a busy installation sees while people read
its incident list. Bounded in count (RATE x DURATION) and time.

    python3 bench/lib/trickle.py URL RATE DURATION
"""
import json
import sys
import time
import urllib.request


def main():
    url, rate, duration = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    start = time.monotonic()
    for index in range(int(rate * duration)):
        due = start + index / rate
        time.sleep(max(0.0, due - time.monotonic()))
        if time.monotonic() - start > duration:
            break
        labels = {"alertname": "Trickle", "instance": f"trickle-{index}", "severity": "critical"}
        body = json.dumps({
            "version": "4", "status": "firing", "receiver": "bench", "groupKey": f"{{}}:{{instance=\"trickle-{index}\"}}",
            "groupLabels": {"instance": f"trickle-{index}"}, "commonLabels": labels, "commonAnnotations": {},
            "externalURL": "http://alertmanager.example.test:9093", "truncatedAlerts": 0,
            "alerts": [{"status": "firing", "labels": labels, "annotations": {}, "startsAt": "2026-11-26T23:32:42.33Z",
                        "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "", "fingerprint": f"{index:016x}"}],
        }).encode()
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()


if __name__ == "__main__":
    main()
