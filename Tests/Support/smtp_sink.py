#!/usr/bin/env python3
"""An SMTP server for Tocsin's tests (aiosmtpd), on 127.0.0.1.

Accepts every message and records it as one JSON line in --log: the envelope, the raw message,
and what Python's email parser reads from it (decoded headers, parts). Prints "PORT <n>" once
it listens.

    /usr/bin/python3 smtp_sink.py --log FILE [--port N]
"""
import argparse
import signal
import sys
import email
import email.policy
import json
import socket
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--log", required=True)
parser.add_argument("--auth", help="USER:PASSWORD that clients must log in with (AUTH PLAIN/LOGIN, no TLS)")
args = parser.parse_args()

# A parent may have spawned us with signals blocked; stop cleanly on SIGTERM either way.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


class Recorder:
    async def handle_DATA(self, server, session, envelope):
        raw = envelope.content.decode("utf-8", "replace") if isinstance(envelope.content, bytes) else envelope.content
        message = email.message_from_string(raw, policy=email.policy.default)
        parts = []
        for part in message.walk():
            if part.get_content_maintype() == "multipart":
                continue
            parts.append({"type": part.get_content_type(), "content": part.get_content()})
        record = {
            "time": time.time(), "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "raw": raw,
            "headers": {name: str(value) for name, value in message.items()},
            "content_type": message.get_content_type(), "parts": parts,
        }
        with open(args.log, "a") as log:
            log.write(json.dumps(record) + "\n")
        return "250 OK"


port = args.port
if port == 0:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
options = {}
if args.auth:
    user, password = args.auth.split(":", 1)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login.decode() == user and auth_data.password.decode() == password
        return AuthResult(success=ok)

    options = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
controller = Controller(Recorder(), hostname="127.0.0.1", port=port, **options)
controller.start()
print(f"PORT {port}", flush=True)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    controller.stop()
