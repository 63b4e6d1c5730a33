/// The rules a label set must follow: Prometheus label names, and the size bounds Tocsin enforces.
public enum LabelRules {
    /// At most this many labels per alert.
    public static let maxLabelsPerAlert = 128
    /// A label or annotation name may be at most this many bytes.
    public static let maxNameBytes = 256
    /// A label value may be at most this many bytes.
    public static let maxLabelValueBytes = 4096
    /// An annotation value may be at most this many bytes.
    public static let maxAnnotationValueBytes = 65536

    /// Whether `name` is a valid Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
    public static func isValidName(_ name: String) -> Bool {
        UTF8Bytes.with(name) { bytes in
            guard let first = bytes.first, isLetterOrUnderscore(first) else { return false }
            return bytes.dropFirst().allSatisfy { isLetterOrUnderscore($0) || ($0 >= 0x30 && $0 <= 0x39) }
        }
    }

    private static func isLetterOrUnderscore(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte == 0x5f
    }
}
