import Foundation

/// One label matcher in Alertmanager's syntax: `name="value"`, `name!=value`, `name=~"regex"`, `name!~"regex"`.
///
/// Regular expressions are fully anchored, as in Alertmanager. A missing label matches as the
/// empty string.
public struct Matcher: Sendable, Equatable, CustomStringConvertible {
    /// How the label's value is compared.
    public enum Operation: String, Sendable, CaseIterable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case regexNoMatch = "!~"
    }

    public let name: String
    public let operation: Operation
    public let value: String
    private let regex: AnchoredRegex?

    /// Why a matcher string was refused.
    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        public var text: String
        public var problem: String
        public var description: String { "invalid matcher \"\(text)\": \(problem)" }
    }

    public init(name: String, operation: Operation, value: String) throws(ParseError) {
        let text = "\(name)\(operation.rawValue)\"\(value)\""
        guard LabelRules.isValidName(name) else {
            throw ParseError(text: text, problem: "\"\(name)\" is not a valid label name")
        }
        self.name = name
        self.operation = operation
        self.value = value
        switch operation {
        case .regexMatch, .regexNoMatch:
            do {
                regex = try AnchoredRegex(value)
            } catch {
                throw ParseError(text: text, problem: "invalid regular expression: \(error)")
            }
        case .equal, .notEqual:
            regex = nil
        }
    }

    /// Parses `name<op>value`, where the value may be double-quoted (with `\"` and `\\` escapes).
    public init(parsing text: String) throws(ParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let opStart = trimmed.firstIndex(where: { $0 == "=" || $0 == "!" }) else {
            throw ParseError(text: text, problem: "expected name=value, name!=value, name=~regex or name!~regex")
        }
        let name = trimmed[..<opStart].trimmingCharacters(in: .whitespaces)
        let rest = trimmed[opStart...]
        let operation: Operation
        if rest.hasPrefix("=~") {
            operation = .regexMatch
        } else if rest.hasPrefix("!~") {
            operation = .regexNoMatch
        } else if rest.hasPrefix("!=") {
            operation = .notEqual
        } else if rest.hasPrefix("=") {
            operation = .equal
        } else {
            throw ParseError(text: text, problem: "unknown operator")
        }
        var value = rest.dropFirst(operation.rawValue.count).trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("\"") {
            guard value.count >= 2, value.hasSuffix("\"") else {
                throw ParseError(text: text, problem: "unterminated quoted value")
            }
            value = String(value.dropFirst().dropLast())
                .replacingOccurrences(of: "\\\"", with: "\"")
                .replacingOccurrences(of: "\\\\", with: "\\")
        }
        try self.init(name: name, operation: operation, value: value)
    }

    /// Whether `labels` satisfy this matcher.
    public func matches(_ labels: [String: String]) -> Bool {
        let actual = labels[name] ?? ""
        switch operation {
        case .equal: return actual == value
        case .notEqual: return actual != value
        case .regexMatch: return regex?.matches(actual) ?? false
        case .regexNoMatch: return !(regex?.matches(actual) ?? false)
        }
    }

    public var description: String {
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\(name)\(operation.rawValue)\"\(escaped)\""
    }

    public static func == (lhs: Matcher, rhs: Matcher) -> Bool {
        lhs.name == rhs.name && lhs.operation == rhs.operation && lhs.value == rhs.value
    }
}

/// A regular expression that must match the whole string (`^(?:pattern)$`).
struct AnchoredRegex: @unchecked Sendable {
    // NSRegularExpression is immutable and documented as safe to share between threads.
    private let expression: NSRegularExpression

    init(_ pattern: String) throws {
        expression = try NSRegularExpression(pattern: "^(?:\(pattern))$")
    }

    func matches(_ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
