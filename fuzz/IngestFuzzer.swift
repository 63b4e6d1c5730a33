import Foundation

/// libFuzzer entry point for Tocsin's ingest path and the small text parsers next to it.
///
/// Built together with the sources of `TocsinCore` as one module (see `scripts/fuzz`), so it
/// reaches internal API directly. Every input is fed, whole, to:
///
/// 1. `AlertmanagerWebhook.decode(_:receivedAt:)` (JSON reading plus validation), checking that
///    - it never crashes or traps, whatever the bytes (invalid UTF-8, deep nesting, huge numbers…);
///    - on failure, the error's `description` is not empty;
///    - on success, the batch keeps the validator's promises: a non-empty receiver and group key,
///      at most `defaultMaxAlerts` alerts (the rest counted as truncated), `truncatedAlerts` not negative, one alert per fingerprint, and
///      for every alert a non-empty label map of valid label names, a fingerprint that prints as
///      16 lower-case hex digits and parses back, `endsAt` not before `startsAt`, and an `endsAt`
///      on every resolved alert;
///    - on success, Foundation's `JSONDecoder` (the reference) accepts the same bytes and, after
///      the same validation, gives an equal batch;
///    - decoding is deterministic: decoding the same bytes again (from an `Array` instead of the
///      raw buffer) gives an equal batch, fingerprints included, or an equal error;
///    - `startsAt`/`endsAt` of every decoded alert survive the RFC 3339 round trip below.
/// 2. `RFC3339.parse` on the input as text: a parsed date printed with `RFC3339.format` must
///    parse again, and printing that date again must give the same text (a fixed point), both in
///    the API layout (`…T…Z`) and in the SQLite layout the store writes (`… …`, read back with a
///    `Z` appended). Printing may drop sub-millisecond digits but never moves a date by a
///    millisecond or more, and text already in the printed layout prints back unchanged.
/// 3. `PolicyDuration.parse` on the input as text: a parsed duration is a non-negative number,
///    `PolicyDuration.format` must not trap on it (the configuration check prints every parsed
///    step delay), and for whole numbers of seconds below 10^15 the printed form parses back to
///    the same value.
/// 4. `Matcher(parsing:)` on the input as text: it either throws an error with a non-empty
///    description or yields a matcher with a valid label name whose `description` parses back to
///    the same matcher and whose `matches` does not trap; `=` and `!=` matchers agree with a label
///    set holding exactly their value.
///
/// 5. The other sources' decoders (`SourcesFuzzer.swift`): Grafana, generic events, PagerDuty
///    Events v2, SNS messages and the CloudWatch alarms they carry.
///
/// A broken invariant calls `fatalError` with a message naming it; libFuzzer then saves the
/// input as `crash-…` (see `fuzz/README.md`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    IngestFuzzer.checkWebhook(bytes)
    SourcesFuzzer.check(bytes)
    if size <= IngestFuzzer.maxTextBytes {
        let text = String(decoding: bytes, as: UTF8.self)
        IngestFuzzer.checkRFC3339(text)
        IngestFuzzer.checkDuration(text)
        IngestFuzzer.checkMatcher(text)
    }
    return 0
}

enum IngestFuzzer {
    /// The text parsers only see inputs up to this size; configuration values are short.
    static let maxTextBytes = 4096

    /// A fixed receive time (2026-11-26T23:33:00Z, just after the captured payloads were sent).
    static let receivedAt = Date(timeIntervalSince1970: 1_795_735_980)

    // MARK: Webhook decoding and validation

    static func checkWebhook(_ bytes: UnsafeBufferPointer<UInt8>) {
        let first = decode(bytes)
        // Hash tables are seeded from their storage address. Hold on to a spread of fresh blocks so
        // the second decode cannot simply get back the blocks the first one freed; otherwise an
        // order-dependent result would look deterministic.
        let ballast = (1...24).map { [UInt8](repeating: 0, count: $0 * 24) }
        let second = decode(Array(bytes))
        withExtendedLifetime(ballast) {}
        switch first {
        case .failure(let error):
            expect(!error.description.isEmpty, "decode failed with an empty error description: \(error)")
        case .success(let batch):
            checkBatch(batch)
            // Foundation's decoder is the reference reading: the hand-written reader is stricter
            // (it checks values Foundation passes over), so whatever it accepts Foundation must
            // accept too, and read the same way.
            let reference = Result { try JSONDecoder().decode(AlertmanagerWebhook.self, from: Data(bytes)).validated(receivedAt: receivedAt) }
            switch reference {
            case .success(let expected):
                expect(expected == batch, "the reader and Foundation's decoder read different batches:\n  reader:     \(clip(first))\n  Foundation: \(expected)")
            case .failure(let error):
                expect(false, "the reader accepted a body Foundation's decoder rejects (\(error)): \(clip(first))")
            }
        }
        // Foundation's JSONDecoder may report a different one of several malformed values from run
        // to run (it walks objects in hash order), so two rejections need not say the same thing;
        // Tocsin's own validation is checked for a stable answer in WebhookValidationTests.
        let bothRejected: Bool = {
            if case .failure = first, case .failure = second { return true }
            return false
        }()
        expect(
            first == second || bothRejected,
            "decoding the same bytes twice differs:\n  first:  \(clip(first))\n  second: \(clip(second))")
    }

    static func decode(_ body: some Collection<UInt8>) -> Result<AlertBatch, IngestValidationError> {
        do {
            return .success(try AlertmanagerWebhook.decode(body, receivedAt: receivedAt))
        } catch {
            return .failure(error)
        }
    }

    static func checkBatch(_ batch: AlertBatch) {
        expect(!batch.receiver.isEmpty, "accepted an empty receiver")
        expect(!batch.groupKey.isEmpty, "accepted an empty groupKey")
        expect(batch.truncatedAlerts >= 0, "accepted truncatedAlerts \(batch.truncatedAlerts)")
        expect(
            batch.alerts.count <= AlertmanagerWebhook.defaultMaxAlerts,
            "accepted \(batch.alerts.count) alerts (more than \(AlertmanagerWebhook.defaultMaxAlerts))")
        // The group-level maps keep an alert's limits; the title made from them is capped.
        for (name, map, valueLimit) in [
            ("groupLabels", batch.groupLabels, LabelRules.maxLabelValueBytes), ("commonLabels", batch.commonLabels, LabelRules.maxLabelValueBytes),
            ("commonAnnotations", batch.commonAnnotations, LabelRules.maxAnnotationValueBytes),
        ] {
            expect(map.count <= LabelRules.maxLabelsPerAlert, "accepted \(map.count) entries in \(name)")
            for (key, value) in map {
                expect(name == "commonAnnotations" ? !key.isEmpty : LabelRules.isValidName(key), "accepted \(name) key \(String(reflecting: key))")
                expect(value.utf8.count <= valueLimit && !value.utf8.contains(0), "accepted a \(value.utf8.count)-byte or NUL \(name) value")
            }
        }
        expect(IncidentTitle.make(for: batch).count <= IncidentTitle.maxCharacters, "a title over \(IncidentTitle.maxCharacters) characters")
        var seen = Set<Fingerprint>()
        for (index, alert) in batch.alerts.enumerated() {
            let at = "alerts[\(index)]"
            expect(seen.insert(alert.fingerprint).inserted, "\(at): fingerprint \(alert.fingerprint) appears twice")
            expect(!alert.labels.isEmpty, "\(at): accepted an empty label map")
            expect(
                alert.labels.count <= LabelRules.maxLabelsPerAlert,
                "\(at): accepted \(alert.labels.count) labels")
            for name in alert.labels.keys {
                expect(LabelRules.isValidName(name), "\(at): accepted label name \(clip(String(reflecting: name)))")
            }
            let printed = alert.fingerprint.description
            expect(
                printed.utf8.count == 16 && printed.utf8.allSatisfy { isLowerHexDigit($0) },
                "\(at): fingerprint prints as \(String(reflecting: printed))")
            expect(
                Fingerprint(hex: printed) == alert.fingerprint,
                "\(at): fingerprint \(printed) does not parse back to itself")
            if let endsAt = alert.endsAt {
                expect(
                    endsAt >= alert.startsAt,
                    "\(at): endsAt \(RFC3339.format(endsAt)) is before startsAt \(RFC3339.format(alert.startsAt))"
                        + " (status \(alert.status.rawValue))")
                checkRoundTrip(endsAt, origin: "\(at).endsAt")
            }
            expect(alert.status != .resolved || alert.endsAt != nil, "\(at): resolved alert without endsAt")
            checkRoundTrip(alert.startsAt, origin: "\(at).startsAt")
        }
    }

    static func isLowerHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66)
    }

    // MARK: RFC 3339

    static func checkRFC3339(_ text: String) {
        guard let date = RFC3339.parse(text) else { return }
        expect(date.timeIntervalSince1970.isFinite, "RFC3339.parse(\(clip(String(reflecting: text)))) is not finite")
        // Text already in the printed layout (`YYYY-MM-DDTHH:MM:SS.mmmZ`, normalised) prints back unchanged.
        let printed = RFC3339.format(date)
        if text.utf8.count == 24, text.utf8.last == UInt8(ascii: "Z"),
            printed.utf8.prefix(20).elementsEqual(text.utf8.prefix(20))
        {
            expect(printed == text, "RFC3339: \(text) parses and prints as \(printed)")
        }
        checkRoundTrip(date, origin: "RFC3339.parse(\(clip(String(reflecting: text))))")
    }

    /// Parse → format → parse → format must reach a fixed point after the first print.
    static func checkRoundTrip(_ date: Date, origin: String) {
        let printed = RFC3339.format(date)
        guard let reparsed = RFC3339.parse(printed) else {
            fail("\(origin): RFC3339.format gave \(String(reflecting: printed)), which RFC3339.parse rejects")
        }
        let reprinted = RFC3339.format(reparsed)
        expect(
            reprinted == printed,
            "\(origin): RFC3339 round trip is not stable: \(printed) parses back and prints as \(reprinted)")
        // `format` rounds to the nearest millisecond. A `Date` holds seconds in a Double, whose
        // steps near the year 9999 are 30 µs: the parsed value is itself that far from the text.
        let drift = date.timeIntervalSince1970 - reparsed.timeIntervalSince1970
        let representable = max(1e-6, 2 * max(date.timeIntervalSince1970.magnitude, reparsed.timeIntervalSince1970.magnitude).ulp)
        expect(
            abs(drift) <= 0.0005 + representable,
            "\(origin): RFC3339 round trip moved the date by \(drift) s (\(printed))")

        let stored = RFC3339.format(date, separator: " ", suffix: "")
        guard let restored = RFC3339.parse(stored + "Z") else {
            fail("\(origin): stored layout \(String(reflecting: stored)) does not parse back")
        }
        expect(
            restored == reparsed,
            "\(origin): stored layout \(stored) reads back as \(RFC3339.format(restored)), API layout as \(printed)")
    }

    // MARK: Policy durations

    static func checkDuration(_ text: String) {
        guard let seconds = PolicyDuration.parse(text) else { return }
        expect(
            !seconds.isNaN && seconds >= 0,
            "PolicyDuration.parse(\(clip(String(reflecting: text)))) = \(seconds)")
        let printed = PolicyDuration.format(seconds)
        if seconds < 1e15, seconds == seconds.rounded() {
            expect(
                PolicyDuration.parse(printed) == seconds,
                "PolicyDuration: \(seconds) s prints as \(String(reflecting: printed)), which parses as "
                    + "\(String(describing: PolicyDuration.parse(printed)))")
        }
    }

    // MARK: Matchers

    static func checkMatcher(_ text: String) {
        let matcher: Matcher
        do {
            matcher = try Matcher(parsing: text)
        } catch {
            expect(!error.description.isEmpty, "Matcher(parsing:) threw an empty description")
            return
        }
        expect(LabelRules.isValidName(matcher.name), "Matcher accepted name \(String(reflecting: matcher.name))")
        // What a matcher prints is Alertmanager syntax that reads back as the same matcher.
        expect((try? Matcher(parsing: matcher.description)) == matcher, "\(clip(matcher)) does not parse back from its description")
        _ = matcher.matches([:])
        let own = [matcher.name: matcher.value]
        switch matcher.operation {
        case .equal:
            expect(matcher.matches(own), "\(clip(matcher)) does not match its own value")
        case .notEqual:
            expect(!matcher.matches(own), "\(clip(matcher)) matches its own value")
        case .regexMatch, .regexNoMatch:
            _ = matcher.matches(["other": matcher.value])
        }
    }

    // MARK: Reporting

    static func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fail(message()) }
    }

    static func fail(_ message: String) -> Never {
        fatalError("IngestFuzzer invariant broken: \(message)")
    }

    /// Shortens long inputs inside failure messages.
    static func clip(_ value: some Any) -> String {
        let text = String(describing: value)
        return text.count <= 300 ? text : "\(text.prefix(300))… (\(text.utf8.count) bytes)"
    }
}
