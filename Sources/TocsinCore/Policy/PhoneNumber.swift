/// Phone numbers as Twilio takes them: E.164, a `+`, the country code and the number, no spaces.
public enum PhoneNumber {
    /// Whether `number` is E.164: `+` then 2 to 15 digits, the first not 0 (`+441632960001`).
    public static func isE164(_ number: String) -> Bool {
        let digits = number.utf8.dropFirst()
        return number.utf8.first == UInt8(ascii: "+") && (2...15).contains(digits.count)
            && digits.first != UInt8(ascii: "0") && digits.allSatisfy { (48...57).contains($0) }
    }
}
