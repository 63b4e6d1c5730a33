import Foundation

/// A person who can use the API: acknowledges and resolves incidents under this name.
public struct User: Codable, Sendable, Equatable {
    public var id: Int64?
    public var name: String
    public var email: String
    public var createdAt: Date

    public init(id: Int64? = nil, name: String, email: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.email = email
        self.createdAt = createdAt
    }

    public enum CodingKeys: String, CodingKey {
        case id, name, email
        case createdAt = "created_at"
    }

    /// Whether `name` is acceptable as a user name: 1–64 characters of letters, digits, `.`, `_`, `-`.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) }
    }

    /// A light check that `email` looks like `local@domain`.
    public static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !email.contains(" ")
    }
}
