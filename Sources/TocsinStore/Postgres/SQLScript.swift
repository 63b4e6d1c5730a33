/// Splits a migration file into its statements: PostgreSQL's extended protocol, which postgres-nio
/// speaks, runs one statement per query.
///
/// A semicolon ends a statement unless it is inside a quoted string (`'…'`), a quoted name
/// (`"…"`), a comment (`-- …` or `/* … */`) or a dollar-quoted body (`$$ … $$`, `$tag$ … $tag$`).
/// Statements are trimmed; empty ones and those holding only comments are dropped.
enum SQLScript {
    static func statements(in script: String) -> [String] {
        let text = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var hasCode = false
        var index = 0

        func flush() {
            let statement = String(current).trimmingWhitespace
            if hasCode, !statement.isEmpty { statements.append(statement) }
            current = String.UnicodeScalarView()
            hasCode = false
        }
        /// Copies from `index` up to and including the first occurrence of `end` (or to the end).
        func copy(through end: [Unicode.Scalar]) {
            while index < text.count {
                if text[index...].starts(with: end) {
                    current.append(contentsOf: end)
                    index += end.count
                    return
                }
                current.append(text[index])
                index += 1
            }
        }

        while index < text.count {
            let scalar = text[index]
            let next = index + 1 < text.count ? text[index + 1] : nil
            switch scalar {
            case ";":
                index += 1
                flush()
            case "'", "\"":
                hasCode = true
                current.append(scalar)
                index += 1
                copy(through: [scalar])
            case "-" where next == "-":
                copy(through: ["\n"])
            case "/" where next == "*":
                copy(through: ["*", "/"])
            case "$":
                hasCode = true
                if let tag = dollarTag(in: text, at: index) {
                    current.append(contentsOf: tag)
                    index += tag.count
                    copy(through: tag)
                } else {
                    current.append(scalar)
                    index += 1
                }
            default:
                if !scalar.properties.isWhitespace { hasCode = true }
                current.append(scalar)
                index += 1
            }
        }
        flush()
        return statements
    }

    /// The dollar-quote opening at `start` (`$$` or `$tag$`), if one opens there.
    private static func dollarTag(in text: [Unicode.Scalar], at start: Int) -> [Unicode.Scalar]? {
        var end = start + 1
        while end < text.count, text[end] == "_" || text[end].properties.isAlphabetic || ("0"..."9").contains(text[end]) {
            end += 1
        }
        guard end < text.count, text[end] == "$" else { return nil }
        // `$1` is a parameter, not a quote: a tag does not start with a digit.
        if end > start + 1, ("0"..."9").contains(text[start + 1]) { return nil }
        return Array(text[start...end])
    }
}

extension String {
    /// The string without leading and trailing whitespace and newlines.
    fileprivate var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
