import Foundation

/// Parses and prints RFC 3339 timestamps as Alertmanager and Prometheus send them.
///
/// Accepts 0 to 9 fractional digits (`…42Z`, `…42.33Z`, `…42.406469378Z`), `Z` or a numeric
/// offset, and keeps sub-millisecond precision; Foundation's formatters reject one or the other
/// form depending on their options. Go's zero time (`0001-01-01T00:00:00Z`) parses to a date in
/// year 1, which callers treat as "unset" through ``isGoZeroTime(_:)``.
public enum RFC3339 {
    /// Parses `text`, or returns nil when it is not an RFC 3339 date-time. With
    /// `utcWithoutOffset`, a text that ends without `Z` or an offset is read as UTC (SQLite's
    /// stored form, `2026-11-26 23:32:42.330`).
    public static func parse(_ text: String, utcWithoutOffset: Bool = false) -> Date? {
        var text = text
        // Read in place: every stored date of every row read passes through here.
        return text.withUTF8 { parse(utf8: $0, utcWithoutOffset: utcWithoutOffset) }
    }

    private static func parse(utf8: UnsafeBufferPointer<UInt8>, utcWithoutOffset: Bool) -> Date? {
        var scanner = Scanner(bytes: utf8)
        guard let year = scanner.digits(4), scanner.skip("-"),
            let month = scanner.digits(2), scanner.skip("-"),
            let day = scanner.digits(2), scanner.skip("T") || scanner.skip("t") || scanner.skip(" "),
            let hour = scanner.digits(2), scanner.skip(":"),
            let minute = scanner.digits(2), scanner.skip(":"),
            let second = scanner.digits(2)
        else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else {
            return nil
        }
        // The fraction as whole nanoseconds (digits past the ninth are ignored), converted once, so
        // that printing it back to the millisecond gives the digits that were read.
        var nanoseconds = 0
        if scanner.skip(".") {
            var count = 0
            while let digit = scanner.digit() {
                if count < 9 { nanoseconds = nanoseconds * 10 + digit }
                count += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 9) { nanoseconds *= 10 }
        }
        var offsetSeconds = 0
        if scanner.skip("Z") || scanner.skip("z") {
            offsetSeconds = 0
        } else if let sign = scanner.sign() {
            guard let offsetHours = scanner.digits(2), scanner.skip(":"), let offsetMinutes = scanner.digits(2),
                offsetHours < 24, offsetMinutes < 60
            else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else if !(utcWithoutOffset && scanner.atEnd) {
            return nil
        }
        guard scanner.atEnd else { return nil }
        let days = CivilDays.dayNumber(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        // Years 0001 to 9999 in UTC only, short of the last second's final milliseconds (which
        // rounding to the millisecond could carry into year 10000): what `format` prints back.
        let milliseconds = seconds * 1000 + (nanoseconds + 500_000) / 1_000_000
        guard (-62_135_596_800_000...253_402_300_798_998).contains(milliseconds) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds) + TimeInterval(nanoseconds) / 1e9)
    }

    /// Prints `date` in UTC with millisecond precision, e.g. `2026-11-26T23:32:42.330Z`.
    ///
    /// `separator` and `suffix` give other layouts of the same fields: `" "` and `""` print the
    /// SQLite text form `2026-11-26 23:32:42.330`.
    public static func format(_ date: Date, separator: String = "T", suffix: String = "Z") -> String {
        var text: [UInt8] = []
        text.reserveCapacity(24 + separator.utf8.count + suffix.utf8.count)
        append(date, separator: separator, suffix: suffix, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends ``format(_:separator:suffix:)``'s text to `text`, without a `String` of its own
    /// (the API's JSON writer prints every date of a page this way).
    public static func append(_ date: Date, separator: String = "T", suffix: String = "Z", to text: inout [UInt8]) {
        let totalMillis = Int((date.timeIntervalSince1970 * 1000).rounded())
        let millis = ((totalMillis % 1000) + 1000) % 1000
        let totalSeconds = (totalMillis - millis) / 1000
        let secondsOfDay = ((totalSeconds % 86_400) + 86_400) % 86_400
        let days = (totalSeconds - secondsOfDay) / 86_400
        let (year, month, day) = CivilDays.date(fromDayNumber: days)
        // Built byte by byte: this runs several times for every alert stored.
        append(year, width: 4, to: &text)
        text.append(UInt8(ascii: "-"))
        append(month, width: 2, to: &text)
        text.append(UInt8(ascii: "-"))
        append(day, width: 2, to: &text)
        text.append(contentsOf: separator.utf8)
        append(secondsOfDay / 3600, width: 2, to: &text)
        text.append(UInt8(ascii: ":"))
        append(secondsOfDay % 3600 / 60, width: 2, to: &text)
        text.append(UInt8(ascii: ":"))
        append(secondsOfDay % 60, width: 2, to: &text)
        text.append(UInt8(ascii: "."))
        append(millis, width: 3, to: &text)
        text.append(contentsOf: suffix.utf8)
    }

    /// Whether `date` is Go's zero time, which Alertmanager sends as `endsAt` of firing alerts.
    public static func isGoZeroTime(_ date: Date) -> Bool {
        date.timeIntervalSince1970 <= goZeroTime
    }

    private static let goZeroTime: TimeInterval = -62_135_596_800

    /// Appends the decimal digits of `value`, zero-padded to `width`.
    /// Appends `value` in decimal, zero-padded to `width` digits, without a `String` of its own.
    private static func append(_ value: Int, width: Int, to text: inout [UInt8]) {
        if value < 0 {
            text.append(UInt8(ascii: "-"))
        }
        var magnitude = value.magnitude
        var count = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            count += 1
        }
        if count < width {
            text.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - count))
        }
        text.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        var index = text.count - 1
        repeat {
            text[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            index -= 1
        } while magnitude > 0
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func digit() -> Int? {
            guard index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 else { return nil }
            defer { index += 1 }
            return Int(bytes[index] - 0x30)
        }

        mutating func digits(_ count: Int) -> Int? {
            var value = 0
            for _ in 0..<count {
                guard let next = digit() else { return nil }
                value = value * 10 + next
            }
            return value
        }

        mutating func skip(_ ascii: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: ascii) else { return false }
            index += 1
            return true
        }

        mutating func sign() -> Int? {
            if skip("+") { return 1 }
            if skip("-") { return -1 }
            return nil
        }
    }
}
