import Foundation
import Testing
import TocsinCore

@Suite("Heartbeats: missed, beaten, and resumed after a restart")
struct HeartbeatMonitorTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let watchdog = Heartbeat(name: "prometheus-eu1", interval: 60, grace: 120, labels: ["severity": "critical"])

    func at(_ seconds: TimeInterval) -> Date { Self.start.addingTimeInterval(seconds) }

    @Test("a heartbeat not yet watched starts its window now")
    func newHeartbeat() {
        let check = HeartbeatMonitor.check([Self.watchdog], statuses: [:], now: at(0))
        #expect(check.toWatch == [Self.watchdog])
        #expect(check.missed.isEmpty)
        #expect(check.nextDeadline == at(180))
    }

    @Test("missed exactly when interval plus grace has passed since the last beat, not a moment before", arguments: [
        (179.999, false), (180.0, true), (500.0, true),
    ])
    func missedAtTheDeadline(elapsed: TimeInterval, missed: Bool) {
        let status = HeartbeatStatus(name: "prometheus-eu1", state: .healthy, watchingSince: at(0), lastBeatAt: at(0), beats: 1)
        let check = HeartbeatMonitor.check([Self.watchdog], statuses: ["prometheus-eu1": status], now: at(elapsed))
        #expect(check.missed.map(\.heartbeat.name) == (missed ? ["prometheus-eu1"] : []))
        #expect(check.missed.first?.deadline == (missed ? at(180) : nil))
        #expect(check.nextDeadline == (missed ? nil : at(180)))
    }

    @Test("a heartbeat that never beat is missed when its first window passes")
    func waitingIsMissedToo() {
        let status = HeartbeatStatus(name: "prometheus-eu1", state: .waiting, watchingSince: at(0))
        let check = HeartbeatMonitor.check([Self.watchdog], statuses: ["prometheus-eu1": status], now: at(180))
        #expect(check.missed.map(\.deadline) == [at(180)])
    }

    @Test("a missed heartbeat is not missed again, and has no deadline")
    func missedOnce() {
        let status = HeartbeatStatus(name: "prometheus-eu1", state: .missed, watchingSince: at(0), missedAt: at(180))
        let check = HeartbeatMonitor.check([Self.watchdog], statuses: ["prometheus-eu1": status], now: at(10_000))
        #expect(!check.changesAnything)
        #expect(check.nextDeadline == nil)
        #expect(status.deadline(of: Self.watchdog) == nil)
    }

    @Test("a reload that shortens the interval moves the deadline of a running window")
    func reloadMovesTheDeadline() {
        let status = HeartbeatStatus(name: "prometheus-eu1", state: .healthy, watchingSince: at(0), lastBeatAt: at(0), beats: 1)
        var shorter = Self.watchdog
        shorter.interval = 10
        shorter.grace = 5
        #expect(HeartbeatMonitor.check([shorter], statuses: ["prometheus-eu1": status], now: at(15)).missed.count == 1)
    }

    @Test("a beat makes the heartbeat healthy, counts, and says whether it ends a missed one", arguments: [
        (HeartbeatStatus.State.waiting, false), (.healthy, false), (.missed, true),
    ])
    func beat(before: HeartbeatStatus.State, recovers: Bool) {
        let status = HeartbeatStatus(name: "prometheus-eu1", state: before, watchingSince: at(0), beats: 4, missedAt: before == .missed ? at(180) : nil)
        let (after, recovered) = HeartbeatMonitor.beat(status, name: "prometheus-eu1", now: at(300))
        #expect(recovered == recovers)
        #expect(after == HeartbeatStatus(name: "prometheus-eu1", state: .healthy, watchingSince: at(300), lastBeatAt: at(300), beats: 5))
    }

    /// Last beat at 0: the next was expected at 60, the deadline is 180.
    @Test("at a start: a deadline ahead stays; a beat due while down gets a fresh window; a beat late before the stop is missed", arguments: [
        // (last checked before the stop, start) → fresh window from the start?
        (100.0, 150.0, false),   // deadline 180 still ahead: a restart is not a missed beat
        (50.0, 400.0, true),     // down from ~50: the beat expected at 60 may have been refused
        (nil, 400.0, true),      // never checked: nothing says Tocsin was up when it was due
        (70.0, 400.0, false),    // up at 70 with no beat since 0: late before the stop, missed at once
        (190.0, 400.0, false),   // the deadline passed while up (a crash before it was recorded)
    ] as [(TimeInterval?, TimeInterval, Bool)])
    func resume(lastChecked: TimeInterval?, startedAt: TimeInterval, fresh: Bool) {
        let status = HeartbeatStatus(name: "prometheus-eu1", state: .healthy, watchingSince: at(0), lastBeatAt: at(0), beats: 1)
        let resumed = HeartbeatMonitor.resume(status, of: Self.watchdog, lastChecked: lastChecked.map(at), now: at(startedAt))
        #expect(resumed == (fresh ? HeartbeatStatus(
            name: "prometheus-eu1", state: .healthy, watchingSince: at(startedAt), lastBeatAt: at(0), beats: 1,
            resumedAt: at(startedAt)) : nil))
    }

    @Test("one more window per silence: after a resumed window, a Tocsin that crashes again gives none; a beat earns the next")
    func resumeOncePerSilence() {
        let resumed = HeartbeatStatus(
            name: "prometheus-eu1", state: .healthy, watchingSince: at(400), lastBeatAt: at(0), beats: 1, resumedAt: at(400))
        // Up from 400 to 410 only, down until 1000: the window from 400 passed while down again.
        #expect(HeartbeatMonitor.resume(resumed, of: Self.watchdog, lastChecked: at(410), now: at(1000)) == nil)
        // Never beaten, and already given its window once.
        let waiting = HeartbeatStatus(name: "prometheus-eu1", state: .waiting, watchingSince: at(400), resumedAt: at(400))
        #expect(HeartbeatMonitor.resume(waiting, of: Self.watchdog, lastChecked: at(410), now: at(1000)) == nil)
        // A beat since the resumed window: the next outage may earn one again.
        var beaten = resumed
        beaten.lastBeatAt = at(450)
        beaten.watchingSince = at(450)
        #expect(HeartbeatMonitor.resume(beaten, of: Self.watchdog, lastChecked: at(460), now: at(1000))?.resumedAt == at(1000))
    }

    @Test("the missed alert carries the configured labels, HeartbeatMissed and the heartbeat's name, keyed by the name")
    func missedBatch() {
        let batch = Self.watchdog.missed(at: at(180), lastBeat: at(0))
        #expect(batch.source == "heartbeat")
        #expect(batch.groupKey == "heartbeat/prometheus-eu1")
        #expect(batch.alerts.count == 1)
        let alert = batch.alerts[0]
        #expect(alert.labels == ["alertname": "HeartbeatMissed", "heartbeat": "prometheus-eu1", "severity": "critical"])
        #expect(alert.status == .firing)
        #expect(alert.startsAt == at(180))
        #expect(alert.annotations["description"]?.contains("no beat since") == true)
        let stored = IncidentAlert(incidentID: 1, alert: alert, firstSeenAt: at(180), lastSeenAt: at(180))
        let recovered = Heartbeat.recovery(of: "prometheus-eu1", at: at(300), stored: stored)
        #expect(recovered.alerts.map(\.fingerprint) == [alert.fingerprint])
        #expect(recovered.alerts.map(\.status) == [.resolved])
        #expect(recovered.alerts.first?.labels == alert.labels && recovered.alerts.first?.annotations == alert.annotations)
        #expect(recovered.alerts.first?.startsAt == at(180) && recovered.alerts.first?.endsAt == at(300))
        #expect(recovered.groupKey == batch.groupKey)
    }

    @Test("Alertmanager's resolved notification is no beat; any other body is", arguments: [
        (#"{"receiver":"tocsin-watchdog","status":"resolved","alerts":[]}"#, true),
        (#"{"receiver":"tocsin-watchdog","status":"firing","alerts":[]}"#, false),
        (#"{"status":1,"alerts":[{"status":"resolved"}]}"#, false), ("", false), ("not json", false), ("[]", false),
    ])
    func resolvedNotice(body: String, resolved: Bool) {
        #expect(Heartbeat.isResolvedNotice(Array(body.utf8)) == resolved)
    }

    @Test("heartbeat names fit a URL path segment", arguments: [
        ("prometheus-eu1", true), ("backup.nightly_2", true), ("", false), ("a/b", false), ("with space", false),
        (String(repeating: "x", count: 129), false), ("é", false),
    ])
    func names(name: String, valid: Bool) {
        #expect(Heartbeat.isValidName(name) == valid)
    }
}
