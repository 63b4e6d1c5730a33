import Foundation

/// An integration's key: 32 lower-case hexadecimal digits (128 random bits), the length of a
/// PagerDuty routing key, so an Events v2 client takes it as one. Stored as ``APIToken/hash(_:)``.
public enum IntegrationKey {
    public static let length = 32

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return APIToken.hex((0..<(length / 2)).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
