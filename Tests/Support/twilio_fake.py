#!/usr/bin/env python3
"""A fake of Twilio's REST API (texts and calls) for Tocsin's tests, on 127.0.0.1.

Speaks the part of Twilio's API that Tocsin uses, and makes the requests Twilio would make back,
signed with X-Twilio-Signature as Twilio signs them (HMAC-SHA1, keyed with the auth token, over
the full URL and then every POST parameter's name and value, sorted by name and then value;
base64). Records every request it answers and every request it makes as one JSON line in --log.
Prints "PORT <n>" on its first line of output once it listens, and stops on SIGTERM.

    twilio_fake.py --account-sid AC... --auth-token TOKEN --log FILE [--port N]
                   [--fail NUMBER:CODE[:TIMES]]... [--fail-delivery NUMBER]... [--no-answer NUMBER]...
                   [--press NUMBER:DIGITS]... [--status-delay SECONDS]

The API (HTTP basic auth with the account SID and the auth token; 401 and error 20003 otherwise):
  POST /2010-04-01/Accounts/{AccountSid}/Messages.json   To, From or MessagingServiceSid, Body,
       [StatusCallback, StatusCallbackMethod]. 201 with the message (sid SM + 32 hex, "queued").
  POST /2010-04-01/Accounts/{AccountSid}/Calls.json      To, From, Url [Method] or Twiml,
       [StatusCallback, StatusCallbackMethod]. 201 with the call (sid CA + 32 hex, "queued").
  GET  /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json and .../Calls/{Sid}.json: the resource now.
  Errors answer Twilio's error JSON, e.g. 400 {"code": 21211, "message": "...",
  "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}: To not E.164 (21211),
  From not E.164 (21212), no Body (21602), no To (21604 for texts, 21201 for calls), neither From
  nor MessagingServiceSid (21603), no From for a call (21213), no usable Url or Twiml (21205).

What happens after a 201 (each step --status-delay seconds after the one before, default 0.2):
  texts: if StatusCallback was given, two status callbacks: MessageStatus=sent, then delivered
       (or undelivered with ErrorCode=30003 for a --fail-delivery number). Each carries
       MessageSid, SmsSid, MessageStatus, SmsStatus, AccountSid, From, To, ApiVersion.
  calls: for a --no-answer number, only a status callback with CallStatus=no-answer. Otherwise the
       call is answered: the voice Url is requested (POST unless Method=GET) with CallSid,
       AccountSid, From, To, CallStatus=in-progress, Direction=outbound-api, ApiVersion; the TwiML
       it answers is logged. While that TwiML has a <Gather> and a --press is left for the number,
       the digits are sent to the Gather's action (relative URLs resolved against the document's
       URL; no action means the document's own URL; its method, POST by default) with Digits and
       FinishedOnKey added, and that answer is logged too. Then, if StatusCallback was given, a
       status callback with CallStatus=completed and CallDuration.

--fail NUMBER:CODE[:TIMES]: requests to that To number answer Twilio's error JSON for CODE: a
  Twilio error code (21211, 21610, ... with HTTP 400; 20429 with 429; 20500 with 500; 20503 with
  503) or an HTTP status (429, 500, 503: the error code is 20000 + the status). With TIMES, only
  the first TIMES requests to the number fail. Repeatable.
--fail-delivery NUMBER: texts to the number are accepted, then end undelivered (ErrorCode 30003).
--no-answer NUMBER: calls to the number are not answered (CallStatus=no-answer).
--press NUMBER:DIGITS: the person called at NUMBER presses DIGITS at a <Gather>. Repeat it for
  the same number to answer successive <Gather>s of a call (each call starts from the first).

For the tests themselves:
  POST /_test/inbound  {"url": "http://127.0.0.1:PORT/twilio/sms", "from": "+44...", "to": "+1...",
       "body": "42A"[, "bad_signature": true][, "omit_signature": true][, "extra": {"Name": "value"}]}
       POSTs the form Twilio POSTs for an incoming text (MessageSid, SmsMessageSid, SmsSid,
       AccountSid, From, To, Body, NumMedia=0, NumSegments=1, SmsStatus=received, ApiVersion, and
       any "extra" fields) to url, signed (or signed with another token when bad_signature), and
       answers {"status": <HTTP status>, "body": <the answer's text>, "message_sid": "SM..."};
       502 with {"status": null, "body": null, "error": "..."} when the url cannot be reached.
  GET  /_test/log      every event logged so far, as a JSON array.

Each event in --log: {"time": <seconds>, "kind": "message" | "call" | "status_callback" |
"voice_url" | "gather" | "inbound" | "fetch", ...}. Requests made by the fake carry "url",
"method", "params", "signature", "status" (the HTTP status answered, or null) and "error" (or
null); those to a voice Url or Gather action also carry "twiml", the text answered. Every request
the fake makes has a 5-second timeout. Python 3.11 standard library only.
"""
import argparse
import base64
import hashlib
import hmac
import json
import re
import secrets
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_VERSION = "2010-04-01"
TIMEOUT = 5
MAX_ANSWER = 1 << 20


def number_and_value(text, option):
    number, separator, value = text.partition(":")
    if not separator or not number or not value:
        raise argparse.ArgumentTypeError(f"{option} takes NUMBER:VALUE, got {text!r}")
    return number, value


parser = argparse.ArgumentParser(description="A fake of Twilio's REST API for Tocsin's tests.")
parser.add_argument("--account-sid", required=True)
parser.add_argument("--auth-token", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--fail", action="append", default=[], metavar="NUMBER:CODE[:TIMES]")
parser.add_argument("--fail-delivery", action="append", default=[], metavar="NUMBER")
parser.add_argument("--no-answer", action="append", default=[], metavar="NUMBER")
parser.add_argument("--press", action="append", default=[], metavar="NUMBER:DIGITS")
parser.add_argument("--status-delay", type=float, default=0.2)
args = parser.parse_args()

# A parent may have spawned us with signals blocked; stop cleanly on SIGTERM either way.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

# Error codes the fake answers with: HTTP status and Twilio's message.
ERRORS = {
    20003: (401, "Authenticate"),
    20404: (404, "The requested resource was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
    20503: (503, "Service Unavailable"),
    21201: (400, "No 'To' number is specified"),
    21205: (400, "Url is not a valid URL"),
    21211: (400, "The 'To' number {to} is not a valid phone number."),
    21212: (400, "The 'From' number {from} is not a valid phone number, shortcode, or alphanumeric sender ID."),
    21213: (400, "No 'From' number is specified"),
    21408: (400, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: {to}."),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' or 'MessagingServiceSid' parameter is required to send a message."),
    21604: (400, "A 'To' phone number is required."),
    21609: (400, "Invalid StatusCallback URL"),
    21610: (400, "Attempt to send to unsubscribed recipient"),
}

failures = {}  # number -> {"code": int, "times": int or None}
for spec in args.fail:
    parts = spec.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1].isdigit():
        parser.error(f"--fail takes NUMBER:CODE[:TIMES], got {spec!r}")
    failures[parts[0]] = {"code": int(parts[1]), "times": int(parts[2]) if len(parts) == 3 else None}
presses = {}  # number -> [digits, ...]
for spec in args.press:
    try:
        number, digits = number_and_value(spec, "--press")
    except argparse.ArgumentTypeError as problem:
        parser.error(str(problem))
    presses.setdefault(number, []).append(digits)
fail_delivery = set(args.fail_delivery)
no_answer = set(args.no_answer)

lock = threading.Lock()
events = []
resources = {}  # sid -> the resource as GET answers it


def log(kind, **fields):
    event = {"time": time.time(), "kind": kind, **fields}
    with lock:
        events.append(event)
        with open(args.log, "a") as file:
            file.write(json.dumps(event) + "\n")
    return event


def is_e164(number):
    """'+', then 2 to 15 ASCII digits, the first not 0."""
    return re.fullmatch(r"\+[1-9][0-9]{1,14}", number or "") is not None


def signed_text(url, params):
    """The URL, then each (name, value) as name + value, sorted by name then value (bytes)."""
    ordered = sorted(params, key=lambda pair: (pair[0].encode("utf-8"), pair[1].encode("utf-8")))
    return url + "".join(name + value for name, value in ordered)


def signature(url, params, token=None):
    key = (args.auth_token if token is None else token).encode("utf-8")
    digest = hmac.new(key, signed_text(url, params).encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def twilio_date():
    """RFC 2822 in GMT, as Twilio writes dates: 'Tue, 31 Aug 2010 20:36:28 +0000'."""
    now = time.gmtime()
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"{days[now.tm_wday]}, {now.tm_mday:02d} {months[now.tm_mon - 1]} {now.tm_year} " \
           f"{now.tm_hour:02d}:{now.tm_min:02d}:{now.tm_sec:02d} +0000"


def new_sid(prefix):
    return prefix + secrets.token_hex(16)


def error_body(code, **values):
    if code in ERRORS:
        status, message = ERRORS[code]
    elif 20100 <= code < 20600:  # Twilio's codes for HTTP statuses: 20000 + the status
        status, message = code - 20000, f"HTTP {code - 20000}"
    else:
        status, message = 400, f"Error {code}"
    try:
        message = message.format(**values)
    except (KeyError, IndexError):
        pass
    return status, {"code": code, "message": message,
                    "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}


def scripted_failure(number):
    """The error code scripted for requests to `number` now, or None."""
    with lock:
        failure = failures.get(number)
        if failure is None:
            return None
        if failure["times"] is not None:
            if failure["times"] <= 0:
                return None
            failure["times"] -= 1
        code = failure["code"]
    return 20000 + code if code < 1000 else code  # an HTTP status: Twilio's code for it is 20000 + it


def request(url, params, method="POST", token=None, omit_signature=False):
    """Makes the request Twilio would: form POST (or GET with the parameters in the query), signed.

    Returns (fields for the log, the answer's text or None)."""
    method = (method or "POST").upper()
    pairs = list(params.items()) if isinstance(params, dict) else list(params)
    if method == "GET":
        query = urllib.parse.urlencode(pairs)
        target = url + (("&" if urllib.parse.urlsplit(url).query else "?") + query if query else "")
        sign = signature(target, [], token)
        data = None
    else:
        target = url
        sign = signature(url, pairs, token)
        data = urllib.parse.urlencode(pairs).encode("utf-8")
    headers = {"User-Agent": "TwilioProxy/1.1", "Accept": "*/*", "I-Twilio-Idempotency-Token": secrets.token_hex(16)}
    if not omit_signature:
        headers["X-Twilio-Signature"] = sign
    if data is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    fields = {"url": target, "method": method, "params": dict(pairs), "signature": None if omit_signature else sign,
              "status": None, "error": None}
    answer = None
    try:
        outgoing = urllib.request.Request(target, data=data, headers=headers, method=method)
        with urllib.request.urlopen(outgoing, timeout=TIMEOUT) as response:
            fields["status"] = response.status
            answer = response.read(MAX_ANSWER).decode("utf-8", "replace")
    except urllib.error.HTTPError as failure:
        fields["status"] = failure.code
        try:
            answer = failure.read(MAX_ANSWER).decode("utf-8", "replace")
        except Exception:  # the body could not be read; the status is what matters
            answer = ""
        finally:
            failure.close()
    except Exception as failure:  # refused, timed out, bad URL: Twilio would log a warning
        fields["error"] = f"{type(failure).__name__}: {failure}"
    return fields, answer


def first_gather(twiml):
    """The first <Gather> element of a TwiML document, or None (also when it is not XML)."""
    try:
        root = ElementTree.fromstring(twiml)
    except ElementTree.ParseError:
        return None
    if root.tag == "Gather":
        return root
    return root.find(".//Gather")


def update(sid, **changes):
    with lock:
        resource = resources.get(sid)
        if resource is not None:
            resource.update(changes)
            resource["date_updated"] = twilio_date()


def status_callback(resource, sid, callback, method, params):
    fields, _ = request(callback, params, method)
    log("status_callback", resource=resource, sid=sid, **fields)


def message_lifecycle(record, form):
    sid = record["sid"]
    callback = form.get("StatusCallback")
    final = "undelivered" if record["to"] in fail_delivery else "delivered"
    for status in ("sent", final):
        time.sleep(args.status_delay)
        changes = {"status": status}
        if status == "sent":
            changes["date_sent"] = twilio_date()
        if status == "undelivered":
            changes.update(error_code=30003, error_message="Unreachable destination handset")
        update(sid, **changes)
        if not callback:
            continue
        params = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
                  "AccountSid": args.account_sid, "To": record["to"], "ApiVersion": API_VERSION}
        if record["from"]:
            params["From"] = record["from"]
        if record["messaging_service_sid"]:
            params["MessagingServiceSid"] = record["messaging_service_sid"]
        if status == "undelivered":
            params["ErrorCode"] = "30003"
        status_callback("message", sid, callback, form.get("StatusCallbackMethod"), params)


def call_lifecycle(record, form):
    sid = record["sid"]
    callback = form.get("StatusCallback")
    base = {"CallSid": sid, "AccountSid": args.account_sid, "From": record["from"], "To": record["to"],
            "Direction": "outbound-api", "ApiVersion": API_VERSION}
    time.sleep(args.status_delay)
    if record["to"] in no_answer:
        update(sid, status="no-answer")
        if callback:
            status_callback("call", sid, callback, form.get("StatusCallbackMethod"),
                            {**base, "CallStatus": "no-answer", "CallDuration": "0"})
        return
    started = time.time()
    update(sid, status="in-progress", start_time=twilio_date())
    answered = {**base, "CallStatus": "in-progress"}
    if form.get("Url"):
        document_url = form["Url"]
        fields, twiml = request(document_url, answered, form.get("Method"))
        log("voice_url", sid=sid, twiml=twiml, **fields)
    else:
        document_url = None
        twiml = form.get("Twiml", "")
        log("voice_url", sid=sid, url=None, method=None, params={}, signature=None, status=None, error=None,
            twiml=twiml, inline=True)
    remaining = list(presses.get(record["to"], []))
    while twiml and remaining:
        gather = first_gather(twiml)
        if gather is None:
            break
        action = gather.get("action") or document_url
        if not action:
            log("gather", sid=sid, url=None, method=None, params={}, signature=None, status=None,
                error="a relative or missing action cannot be resolved without a document URL", twiml=None)
            break
        target = urllib.parse.urljoin(document_url, action) if document_url else action
        digits = remaining.pop(0)
        wanted = gather.get("numDigits")
        finished_on_key = "" if wanted and wanted.isdigit() and len(digits) >= int(wanted) else \
            (gather.get("finishOnKey", "#") or "")
        time.sleep(min(args.status_delay, 0.5))
        fields, twiml = request(target, {**answered, "Digits": digits, "FinishedOnKey": finished_on_key},
                                gather.get("method", "POST"))
        log("gather", sid=sid, digits=digits, twiml=twiml, **fields)
        document_url = target
    time.sleep(args.status_delay)
    duration = str(max(1, round(time.time() - started)))
    update(sid, status="completed", end_time=twilio_date(), duration=duration)
    if callback:
        status_callback("call", sid, callback, form.get("StatusCallbackMethod"),
                        {**base, "CallStatus": "completed", "CallDuration": duration})


def valid_callback_url(url):
    parts = urllib.parse.urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def send_json(self, status, value, headers=None):
        payload = json.dumps(value).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        for name, header in (headers or {}).items():
            self.send_header(name, header)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))

    def authenticated(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user.encode(), args.account_sid.encode()) and \
            hmac.compare_digest(password.encode(), args.auth_token.encode())

    def api_route(self):
        """(account SID, "Messages" | "Calls", resource SID or None) for an API path, or None."""
        path = urllib.parse.urlsplit(self.path).path
        match = re.fullmatch(r"/2010-04-01/Accounts/([^/]+)/(Messages|Calls)(?:/([^/]+))?\.json", path)
        return match.groups() if match else None

    def refuse(self, kind, code, fields, **values):
        status, body = error_body(code, **values)
        log(kind, http_status=status, error_code=code, **fields)
        headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if status == 401 else None
        self.send_json(status, body, headers)

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_test/log":
            with lock:
                snapshot = list(events)
            self.send_json(200, snapshot)
            return
        route = self.api_route()
        if route is None or route[2] is None:
            self.send_json(404, error_body(20404)[1])
            return
        account, collection, sid = route
        if not self.authenticated():
            self.refuse("fetch", 20003, {"path": path})
            return
        with lock:
            resource = dict(resources.get(sid) or {})
        if account != args.account_sid or not resource or resource.get("_collection") != collection:
            self.refuse("fetch", 20404, {"path": path})
            return
        resource.pop("_collection", None)
        log("fetch", path=path, sid=sid, http_status=200)
        self.send_json(200, resource)

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        body = self.read_body()
        if path == "/_test/inbound":
            self.inbound(body)
            return
        route = self.api_route()
        if route is None or route[2] is not None:
            self.send_json(404, error_body(20404)[1])
            return
        account, collection, _ = route
        kind = "message" if collection == "Messages" else "call"
        pairs = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        form = {}
        for name, value in pairs:
            form.setdefault(name, value)
        fields = {"path": path, "content_type": self.headers.get("Content-Type"), "fields": [list(p) for p in pairs],
                  "to": form.get("To"), "from": form.get("From")}
        if not self.authenticated():
            self.refuse(kind, 20003, fields)
            return
        if account != args.account_sid:
            self.refuse(kind, 20404, fields)
            return
        if kind == "message":
            self.create_message(form, fields)
        else:
            self.create_call(form, fields)

    def create_message(self, form, fields):
        to, sender = form.get("To", ""), form.get("From", "")
        service = form.get("MessagingServiceSid", "")
        values = {"to": to, "from": sender}
        if not to:
            return self.refuse("message", 21604, fields, **values)
        if not is_e164(to):
            return self.refuse("message", 21211, fields, **values)
        if not sender and not service:
            return self.refuse("message", 21603, fields, **values)
        if sender and not is_e164(sender):
            return self.refuse("message", 21212, fields, **values)
        if not form.get("Body", ""):
            return self.refuse("message", 21602, fields, **values)
        if form.get("StatusCallback") and not valid_callback_url(form["StatusCallback"]):
            return self.refuse("message", 21609, fields, **values)
        code = scripted_failure(to)
        if code is not None:
            return self.refuse("message", code, fields, **values)
        sid = new_sid("SM")
        now = twilio_date()
        record = {
            "sid": sid, "account_sid": args.account_sid, "to": to, "from": sender or None,
            "messaging_service_sid": service or None, "body": form["Body"], "status": "queued",
            "direction": "outbound-api", "api_version": API_VERSION, "num_segments": "1", "num_media": "0",
            "date_created": now, "date_updated": now, "date_sent": None, "error_code": None, "error_message": None,
            "price": None, "price_unit": "USD",
            "uri": f"/2010-04-01/Accounts/{args.account_sid}/Messages/{sid}.json",
        }
        with lock:
            resources[sid] = {**record, "_collection": "Messages"}
        log("message", http_status=201, sid=sid, body=form["Body"], messaging_service_sid=service or None,
            status_callback=form.get("StatusCallback"), **fields)
        self.send_json(201, record)
        threading.Thread(target=message_lifecycle, args=(record, form), daemon=True).start()

    def create_call(self, form, fields):
        to, sender = form.get("To", ""), form.get("From", "")
        values = {"to": to, "from": sender}
        if not to:
            return self.refuse("call", 21201, fields, **values)
        if not is_e164(to):
            return self.refuse("call", 21211, fields, **values)
        if not sender:
            return self.refuse("call", 21213, fields, **values)
        if not is_e164(sender):
            return self.refuse("call", 21212, fields, **values)
        if not form.get("Twiml") and not valid_callback_url(form.get("Url")):
            return self.refuse("call", 21205, fields, **values)
        if form.get("StatusCallback") and not valid_callback_url(form["StatusCallback"]):
            return self.refuse("call", 21205, fields, **values)
        code = scripted_failure(to)
        if code is not None:
            return self.refuse("call", code, fields, **values)
        sid = new_sid("CA")
        now = twilio_date()
        record = {
            "sid": sid, "account_sid": args.account_sid, "to": to, "from": sender, "status": "queued",
            "direction": "outbound-api", "api_version": API_VERSION, "date_created": now, "date_updated": now,
            "start_time": None, "end_time": None, "duration": None, "price": None, "price_unit": "USD",
            "uri": f"/2010-04-01/Accounts/{args.account_sid}/Calls/{sid}.json",
        }
        with lock:
            resources[sid] = {**record, "_collection": "Calls"}
        log("call", http_status=201, sid=sid, url=form.get("Url"), method=(form.get("Method") or "POST").upper(),
            twiml=form.get("Twiml"), status_callback=form.get("StatusCallback"), **fields)
        self.send_json(201, record)
        threading.Thread(target=call_lifecycle, args=(record, form), daemon=True).start()

    def inbound(self, body):
        try:
            order = json.loads(body or b"{}")
            url, sender, to, text = order["url"], order["from"], order["to"], order["body"]
            extra = {str(name): str(value) for name, value in (order.get("extra") or {}).items()}
        except (ValueError, KeyError, TypeError, AttributeError) as problem:
            self.send_json(400, {"error": f"needs JSON with url, from, to and body: {problem}"})
            return
        sid = order.get("message_sid") or new_sid("SM")
        params = {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, "AccountSid": args.account_sid,
                  "From": sender, "To": to, "Body": text, "NumMedia": "0", "NumSegments": "1",
                  "SmsStatus": "received", "ApiVersion": API_VERSION, **extra}
        bad = bool(order.get("bad_signature"))
        token = args.auth_token + "-not-the-token" if bad else None
        fields, answer = request(url, params, "POST", token=token, omit_signature=bool(order.get("omit_signature")))
        log("inbound", message_sid=sid, bad_signature=bad, omit_signature=bool(order.get("omit_signature")),
            body=answer, **fields)
        if fields["error"] is not None:
            self.send_json(502, {"status": None, "body": None, "error": fields["error"], "message_sid": sid})
        else:
            self.send_json(200, {"status": fields["status"], "body": answer, "message_sid": sid})

    def log_message(self, *arguments):
        pass


server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
server.daemon_threads = True
print(f"PORT {server.server_address[1]}", flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
