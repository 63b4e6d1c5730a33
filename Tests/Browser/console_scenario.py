#!/usr/bin/env python3
"""Drives Tocsin's web console in a real browser (Debian's chromium through Playwright).

Run by the end-to-end suite (ConsoleBrowserEndToEndTests) against a running `tocsin serve`:

    console_scenario.py --url http://127.0.0.1:PORT --token ADMIN --read-token READ \
        --fixture Tests/Fixtures/alertmanager/webhook-01-firing-critical-single.json --screenshots DIR

The scenario: sign in, see an ingested critical incident appear without reloading, open it,
acknowledge with a note, see the timeline update, resolve, sign out, and check the session is gone.
Also: a read-only token sees no buttons, a post without the form token is refused, hostile alert
content stays inert, every page fits 360 px with 44 px buttons and labelled controls, and the
keyboard alone reaches the actions. Screenshots of each page at 1280 and 360 px go to --screenshots.
Exits 0 when every check passed; otherwise prints each failure and exits 1.
"""
import argparse
import json
import os
import sys
import time
import urllib.request

from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
WAIT_MS = 20_000
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, flush=True)
    return condition


def post_json(url, body, token=None):
    request = urllib.request.Request(url, data=json.dumps(body).encode() if not isinstance(body, bytes) else body,
                                     method="POST", headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read() or b"{}")


def hostile_payload():
    """An Alertmanager webhook whose labels and annotations try to run script."""
    return {
        "receiver": "oncall-critical", "status": "firing", "version": "4",
        "groupKey": '{}:{alertname="Hostile"}', "truncatedAlerts": 0,
        "groupLabels": {"alertname": "Hostile"}, "commonLabels": {"alertname": "Hostile", "severity": "warning"},
        "commonAnnotations": {}, "externalURL": "http://127.0.0.1:9093",
        "alerts": [{
            "status": "firing",
            "labels": {"alertname": "Hostile", "severity": "warning",
                       "team": '" onmouseover="window.__xss=4" x="'},
            "annotations": {"summary": "<script>window.__xss=1</script>",
                            "description": '"><img src=x onerror="window.__xss=2">',
                            "runbook_url": "javascript:window.__xss=3"},
            "startsAt": "2026-11-26T23:32:42.000Z", "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "javascript:window.__xss=5", "fingerprint": "00000000000000aa",
        }],
    }


def first_email_html(log, seconds=20):
    """The HTML part of the first email the SMTP sink recorded, waiting for it a bounded time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with open(log) as records:
                for line in records:
                    for part in json.loads(line).get("parts", []):
                        if part.get("type") == "text/html":
                            return part["content"]
        except FileNotFoundError:
            pass
        time.sleep(0.2)
    return None


def page_checks(page, name, width):
    """What every page must be at a phone's width: no sideways scrolling, tall enough buttons,
    labelled controls, and state said in words (the tags carry text)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    check(overflow <= 0, f"{name} at {width}px scrolls sideways by {overflow}px")
    short = page.evaluate("""() => [...document.querySelectorAll('button, .button, .filters a, nav a')]
        .filter(e => e.offsetParent !== null)
        .filter(e => e.getBoundingClientRect().height < 44)
        .map(e => e.textContent.trim())""")
    check(not short, f"{name} at {width}px has controls under 44px tall: {short}")
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(e => e.type !== 'hidden')
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
        .map(e => e.name)""")
    check(not unlabelled, f"{name} has controls without a label: {unlabelled}")


def screenshot(page, directory, name):
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 740})
        page.wait_for_timeout(50)
        page_checks(page, name, width)
        page.screenshot(path=os.path.join(directory, f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def sign_in(page, base, token):
    page.goto(base + "/ui/login")
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/ui/incidents", timeout=WAIT_MS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--read-token", required=True)
    parser.add_argument("--fixture", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--mail-log", help="the SMTP sink's log (Tests/Support/smtp_sink.py): its first page "
                        "email is rendered at both widths")
    args = parser.parse_args()
    base = args.url.rstrip("/")
    os.makedirs(args.screenshots, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        console_errors = []
        page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        page.on("dialog", lambda dialog: dialog.accept())

        # 1. Signed out, every page sends the browser to the sign-in form.
        page.goto(base + "/")
        check(page.url == base + "/ui/login?next=%2Fui%2Fincidents", f"/ signed out ends at {page.url}, not the sign-in page")
        screenshot(page, args.screenshots, "login")
        sign_in(page, base, args.token)
        check("token" not in page.url, "the token shows in a URL after signing in")

        # 2. An incident appears in the open list without reloading.
        navigations = []
        page.on("framenavigated", lambda frame: frame == page.main_frame and navigations.append(frame.url))
        with open(args.fixture, "rb") as fixture:
            status, _ = post_json(base + "/api/v1/ingest/alertmanager", fixture.read())
        check(status == 200, f"ingest answered {status}")
        page.wait_for_selector('#incident-list a[href="/ui/incidents/1"]', timeout=WAIT_MS)
        check(not navigations, f"the list reloaded the page to show the incident: {navigations}")
        check(page.locator("#incident-list .tag.critical").first.inner_text() == "critical",
              "severity is not written as a word")
        screenshot(page, args.screenshots, "incidents")

        # 3. Open it; acknowledge with a note.
        page.click('#incident-list a[href="/ui/incidents/1"]')
        page.wait_for_url(base + "/ui/incidents/1")
        check(page.locator("h1").inner_text().startswith("#1 "), "the incident page has no title")
        check(page.locator("#escalation").inner_text().find("Next") >= 0, "the escalation shows no next step")
        screenshot(page, args.screenshots, "incident")

        # The keyboard alone reaches the acknowledgement's note and button.
        page.goto(base + "/ui/incidents/1")
        reached = None
        for _ in range(60):
            page.keyboard.press("Tab")
            reached = page.evaluate("document.activeElement && document.activeElement.id")
            if reached == "ack-note":
                break
        check(reached == "ack-note", "Tab never reaches the acknowledgement's note")
        page.keyboard.type("looking at it")
        page.keyboard.press("Tab")
        check(page.evaluate("document.activeElement.textContent.trim()") == "Acknowledge",
              "Tab from the note does not reach the Acknowledge button")
        page.keyboard.press("Enter")
        page.wait_for_url(base + "/ui/incidents/1?done=acknowledged")
        check("Acknowledged." in page.locator(".flash").inner_text(), "no confirmation after acknowledging")
        check("acknowledged by alice" in page.locator("#timeline").inner_text().replace("\n", " ")
              and "looking at it" in page.locator("#timeline").inner_text(), "the timeline lacks the acknowledgement")
        check(page.locator('form[action="/ui/incidents/1/ack"]').count() == 0, "Acknowledge is still offered")

        # 4. The timeline updates on its own when someone else acts.
        status, _ = post_json(base + "/api/v1/incidents/1/notes", {"note": "db failover started"}, token=args.token)
        check(status == 201, f"note through the API answered {status}")
        expect(page.locator("#timeline")).to_contain_text("db failover started", timeout=WAIT_MS)

        # 5. A post without the form token is refused, with the session's cookie.
        refused = page.request.post(base + "/ui/incidents/1/notes", form={"note": "forged"}, max_redirects=0)
        check(refused.status == 403, f"a post without the form token answered {refused.status}")

        # 6. Resolve (the script asks first; the dialog is accepted).
        page.click('form[action="/ui/incidents/1/resolve"] button')
        page.wait_for_url(base + "/ui/incidents/1?done=resolved")
        check("resolved" in page.locator("#incident-state").inner_text(), "the incident does not read resolved")

        # 7. The other pages, each at both widths.
        for name in ("oncall", "deliveries", "heartbeats", "maintenance"):
            page.goto(base + "/ui/" + name)
            check(page.url == base + "/ui/" + name, f"/ui/{name} did not open")
            screenshot(page, args.screenshots, name)

        # 8. Hostile content stays text.
        status, answer = post_json(base + "/api/v1/ingest/alertmanager", hostile_payload())
        hostile = answer.get("incident_ids", [0])[0]
        page.goto(f"{base}/ui/incidents/{hostile}")
        for summary in page.locator("details summary").all():
            summary.click()
        for selector in ("#alerts li", "#alerts dd", "h1"):
            for element in page.locator(selector).all():
                element.hover()
        check(page.evaluate("window.__xss === undefined"), "hostile alert content ran script")
        check("<script>window.__xss=1</script>" in page.locator("#alerts .title").first.inner_text(),
              "the hostile summary is not shown as text")
        check(page.locator('a[href^="javascript:"]').count() == 0, "a javascript: link was rendered")
        screenshot(page, args.screenshots, "incident-hostile")

        # 9. Sign out: the session is gone, even for a browser that kept the cookie.
        kept = context.cookies()
        page.click('form[action="/ui/logout"] button')
        page.wait_for_url(base + "/ui/login")
        page.goto(base + "/ui/incidents/1")
        check(page.url == base + "/ui/login?next=%2Fui%2Fincidents%2F1", "after signing out, the incident still opens")
        # Signing in again leads back to the page asked for.
        page.fill("#token", args.token)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/ui/incidents/1")
        page.click('form[action="/ui/logout"] button')
        page.wait_for_url(base + "/ui/login")
        replay = browser.new_context()
        replay.add_cookies(kept)
        replayed = replay.new_page()
        replayed.goto(base + "/ui/incidents")
        check(replayed.url.startswith(base + "/ui/login"), "the old session cookie still opens the console after sign-out")
        replay.close()

        # 10. Without JavaScript, the forms still work: acknowledge the hostile incident, then sign out.
        plain = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
        plain_page = plain.new_page()
        sign_in(plain_page, base, args.token)
        plain_page.goto(f"{base}/ui/incidents/{hostile}")
        plain_page.fill("#ack-note", "seen without scripts")
        plain_page.click('form[action$="/ack"] button')
        plain_page.wait_for_url(f"{base}/ui/incidents/{hostile}?done=acknowledged")
        check("seen without scripts" in plain_page.locator("#timeline").inner_text(), "acknowledging without JavaScript failed")
        plain_page.click('form[action="/ui/logout"] button')
        plain_page.wait_for_url(base + "/ui/login")
        plain.close()

        # 11. Dark mode, as a phone set to it shows the incident.
        dark = browser.new_context(color_scheme="dark", viewport={"width": 360, "height": 740})
        dark_page = dark.new_page()
        sign_in(dark_page, base, args.read_token)
        dark_page.goto(base + "/ui/incidents/1")
        background = dark_page.evaluate("getComputedStyle(document.body).backgroundColor")
        check(background not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), f"dark mode keeps a light page: {background}")
        dark_page.screenshot(path=os.path.join(args.screenshots, "incident-dark-360.png"), full_page=True)
        dark.close()

        # 12. A read-only token sees no buttons.
        reader = browser.new_context(viewport={"width": 360, "height": 740})
        read_page = reader.new_page()
        sign_in(read_page, base, args.read_token)
        read_page.goto(base + "/ui/incidents/" + str(hostile))
        forms = read_page.locator('main form[method="post"]').count()
        check(forms == 0, f"a read-only session sees {forms} action forms")
        read_page.goto(base + "/ui/oncall")
        check(read_page.locator('main form[method="post"]').count() == 0, "a read-only session may change overrides")
        reader.close()

        # 13. The page email as a phone's mail app would show it.
        html = first_email_html(args.mail_log) if args.mail_log else None
        if args.mail_log and check(html is not None, "no page email reached the SMTP server"):
            path = os.path.join(args.screenshots, "email.html")
            with open(path, "w") as out:
                out.write(html)
            mail = browser.new_page()
            mail.goto("file://" + os.path.abspath(path))
            for width in (1280, 360):
                mail.set_viewport_size({"width": width, "height": 900 if width > 400 else 740})
                overflow = mail.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                check(overflow <= 0, f"the email at {width}px scrolls sideways by {overflow}px")
                for label in ("Acknowledge", "Resolve"):
                    button = mail.get_by_role("link", name=label, exact=True)
                    if check(button.count() == 1, f"the email has no {label} button"):
                        height = button.bounding_box()["height"]
                        check(height >= 44, f"the email's {label} button is {height}px tall at {width}px")
                mail.screenshot(path=os.path.join(args.screenshots, f"email-{width}.png"), full_page=True)
            mail.close()

        csp = [error for error in console_errors if "Content Security Policy" in error or "Refused" in error]
        check(not csp, f"the browser reported content security policy violations: {csp}")
        check(not [e for e in console_errors if e not in csp], f"the browser reported errors: {console_errors}")
        browser.close()

    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
