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
        /// Where in `text` the problem is (1 for its first character), when it is at one place.
        public var column: Int?

        public init(text: String, problem: String, column: Int? = nil) {
            self.text = text
            self.problem = problem
            self.column = column
        }

        public var description: String {
            "invalid matcher \"\(text)\"" + (column.map { " at character \($0)" } ?? "") + ": \(problem)"
        }
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
        // Escaped scalar by scalar: a quote followed by a combining mark is one Character, which a
        // search for the quote character would not find.
        var escaped = ""
        for scalar in value.unicodeScalars {
            if scalar == "\\" || scalar == "\"" { escaped.unicodeScalars.append("\\") }
            escaped.unicodeScalars.append(scalar)
        }
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
