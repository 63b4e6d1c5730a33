extension Matcher {
    /// Parses one matcher in Alertmanager's matcher syntax (its UTF-8 parser, the default since
    /// 0.27): `name OP value`, with `OP` one of `=`, `!=`, `=~`, `!~`, spaces allowed around it. A
    /// name or value is either a double-quoted string with Go's escapes (`"db\"1"`) or a literal
    /// without spaces and without any of ``{}!=~,\"'` ``. So a typo such as `severity=="critical"`
    /// is an error naming the character, not a matcher that quietly never matches.
    public init(parsing text: String) throws(ParseError) {
        var scanner = MatcherScanner(text)
        scanner.skipSpaces()
        guard !scanner.atEnd else { throw scanner.error("empty matcher: expected name=value") }
        let name = try scanner.token(what: "a label name")
        scanner.skipSpaces()
        let operation = try scanner.operation()
        scanner.skipSpaces()
        guard !scanner.atEnd else {
            throw scanner.error("missing value: write \(name)\(operation.rawValue)\"\" to match an empty value")
        }
        let value = try scanner.token(what: "a value")
        scanner.skipSpaces()
        guard scanner.atEnd else {
            throw scanner.error("unexpected \"\(scanner.current)\" after the value; one matcher per list entry")
        }
        do {
            try self.init(name: name, operation: operation, value: value)
        } catch {
            throw ParseError(text: text, problem: error.problem)
        }
    }
}

/// Reads a matcher string scalar by scalar (not by character: a combining mark after a quote
/// would merge with it), remembering the position for errors.
private struct MatcherScanner {
    /// Scalars an unquoted name or value may not contain (besides white space).
    static let reserved: Set<Unicode.Scalar> = ["{", "}", "!", "=", "~", ",", "\\", "\"", "'", "`"]

    let text: String
    private let characters: [Unicode.Scalar]
    private var index = 0

    init(_ text: String) {
        self.text = text
        characters = Array(text.unicodeScalars)
    }

    var atEnd: Bool { index >= characters.count }
    var current: Unicode.Scalar { characters[index] }

    func error(_ problem: String) -> Matcher.ParseError {
        Matcher.ParseError(text: text, problem: problem, column: index + 1)
    }

    mutating func skipSpaces() {
        while !atEnd, current.properties.isWhitespace { index += 1 }
    }

    /// A double-quoted string, or a literal up to the next reserved character or space.
    mutating func token(what: String) throws(Matcher.ParseError) -> String {
        if current == "\"" { return try quoted() }
        var literal = ""
        while !atEnd, !current.properties.isWhitespace, !Self.reserved.contains(current) {
            literal.unicodeScalars.append(current)
            index += 1
        }
        guard !literal.isEmpty else {
            throw error(
                "unexpected \"\(current)\": expected \(what), either double-quoted or without spaces and "
                    + "without any of {}!=~,\\\"'`")
        }
        return literal
    }

    mutating func operation() throws(Matcher.ParseError) -> Matcher.Operation {
        // Two-character operators first, so `=~` is not read as `=` followed by a value.
        for operation in [Matcher.Operation.regexMatch, .regexNoMatch, .notEqual, .equal] {
            let symbol = Array(operation.rawValue)
            if index + symbol.count <= characters.count, characters[index..<index + symbol.count].map(Character.init) == symbol {
                index += symbol.count
                return operation
            }
        }
        throw error(atEnd ? "missing operator: expected =, !=, =~ or !~" : "unexpected \"\(current)\": expected =, !=, =~ or !~")
    }

    /// A double-quoted string with Go's escapes: `\"`, `\\`, `\n`, `\t`, `\r`, `\a`, `\b`, `\f`,
    /// `\v` and `\uXXXX`.
    private mutating func quoted() throws(Matcher.ParseError) -> String {
        let opening = index
        index += 1
        var value = ""
        while !atEnd {
            let character = current
            index += 1
            switch character {
            case "\"":
                return value
            case "\\":
                guard !atEnd else { break }
                let escape = current
                index += 1
                switch escape {
                case "\"": value.append("\"")
                case "\\": value.append("\\")
                case "n": value.append("\n")
                case "t": value.append("\t")
                case "r": value.append("\r")
                case "a": value.append("\u{07}")
                case "b": value.append("\u{08}")
                case "f": value.append("\u{0C}")
                case "v": value.append("\u{0B}")
                case "u":
                    guard index + 4 <= characters.count,
                        let code = UInt32(String(String.UnicodeScalarView(characters[index..<index + 4])), radix: 16),
                        let scalar = Unicode.Scalar(code)
                    else {
                        index -= 2
                        throw error("\\u must be followed by four hexadecimal digits")
                    }
                    value.unicodeScalars.append(scalar)
                    index += 4
                default:
                    index -= 2  // at the backslash
                    throw error("unknown escape \"\\\(escape)\" in a quoted string")
                }
            default:
                value.unicodeScalars.append(character)
            }
        }
        index = opening
        throw error("unterminated quoted string")
    }
}
