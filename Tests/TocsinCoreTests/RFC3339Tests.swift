import Foundation
import Testing
import TocsinCore

@Suite("RFC 3339 timestamps")
struct RFC3339Tests {
    @Test(
        "parses 0 to 9 fractional digits as Alertmanager sends them",
        arguments: [
            ("2026-11-26T23:32:42Z", 1_795_735_962.0),
            ("2026-11-26T23:32:42.33Z", 1_795_735_962.33),
            ("2026-11-26T23:32:42.406469378Z", 1_795_735_962.406469378),
            ("2026-11-27T00:32:42+01:00", 1_795_735_962.0),
            ("2026-11-26T20:32:42.5-03:00", 1_795_735_962.5),
        ])
    func parses(text: String, expected: Double) throws {
        let date = try #require(RFC3339.parse(text))
        #expect(abs(date.timeIntervalSince1970 - expected) < 0.000_001)
    }

    @Test("rejects what is not a date-time", arguments: [
        "", "yesterday", "2026-11-26", "2026-11-26T23:32:42", "2026-13-01T00:00:00Z", "2026-11-26T23:32:42.Z",
        "2026-11-26T25:00:00Z", "2026-11-26T23:32:42Zjunk",
    ])
    func rejects(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test("SQLite's stored form, without an offset, is read as UTC only when asked; an offset still counts")
    func storedForm() throws {
        let stored = try #require(RFC3339.parse("2026-11-26 23:32:42.330", utcWithoutOffset: true))
        #expect(stored == RFC3339.parse("2026-11-26T23:32:42.330Z"))
        #expect(RFC3339.parse("2026-11-26 23:32:42.330") == nil)
        #expect(RFC3339.parse("2026-11-26 23:32:42.330+01:00", utcWithoutOffset: true) == RFC3339.parse("2026-11-26T22:32:42.330Z"))
        #expect(RFC3339.parse("2026-11-26 23:32:42.330 ", utcWithoutOffset: true) == nil)
        var text: [UInt8] = []
        RFC3339.append(stored, separator: " ", suffix: "", to: &text)
        #expect(String(decoding: text, as: UTF8.self) == "2026-11-26 23:32:42.330")
    }

    @Test("recognises Go's zero time, which means unset")
    func goZeroTime() throws {
        let zero = try #require(RFC3339.parse("0001-01-01T00:00:00Z"))
        #expect(RFC3339.isGoZeroTime(zero))
        #expect(!RFC3339.isGoZeroTime(Date(timeIntervalSince1970: 0)))
    }

    @Test("formats in UTC with milliseconds and round-trips")
    func formats() throws {
        let date = Date(timeIntervalSince1970: 1_795_735_962.33)
        #expect(RFC3339.format(date) == "2026-11-26T23:32:42.330Z")
        let back = try #require(RFC3339.parse(RFC3339.format(date)))
        #expect(abs(back.timeIntervalSince(date)) < 0.001)
        #expect(RFC3339.format(Date(timeIntervalSince1970: -1.5)) == "1969-12-31T23:59:58.500Z")
    }
}
