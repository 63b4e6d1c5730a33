/// Reads runs of ASCII digits for the schedule parsers (no signs, no spaces, no other numerals).
enum ScheduleDigits {
    static func value(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}
