/// A console view as its template reads it: every struct turned into a dictionary, once, before
/// rendering. Mustache finds a name in a dictionary at once, where in a struct it reflects every
/// field for every name it looks up (three quarters of the incident list's rendering time, by
/// `perf`; see BENCHMARKS.md). A nil optional is left out, which reads the same as before: the
/// template looks further up the context for it.
enum TemplateValues {
    static func of(_ value: Any) -> Any {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .struct, .class:
            var fields: [String: Any] = [:]
            fields.reserveCapacity(Int(mirror.children.count))
            for child in mirror.children {
                guard let label = child.label, let present = unwrapped(child.value) else { continue }
                fields[label] = of(present)
            }
            return fields
        case .collection:
            return mirror.children.map { of($0.value) }
        case .optional:
            return unwrapped(value).map(of) ?? value
        default:
            return value
        }
    }

    /// The value an optional holds (nil for none); anything else as it is.
    private static func unwrapped(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first?.value
    }
}
