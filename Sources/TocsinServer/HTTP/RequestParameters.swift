import Foundation
import Hummingbird
import TocsinCore

// The one way routes read path and query parameters: a bad value is a 400 naming the parameter,
// the same on every route.

extension Parameters {
    /// The positive integer in the path (`{id}`), as Hummingbird's `require(_:as:)` reads it;
    /// anything else is a 400 naming `thing`'s id.
    func requireID(_ name: String = "id", of thing: String) throws -> Int64 {
        guard let id = try? require(name, as: Int64.self), id > 0 else {
            throw APIError(
                .badRequest, code: "invalid_parameter", field: name,
                message: "\(thing) id must be a positive integer, got \"\(get(name) ?? "")\"")
        }
        return id
    }
}

extension Request {
    /// The query parameter `name` as an integer in `range`, `fallback` when absent, a 400 otherwise.
    func queryInteger(_ name: String, in range: ClosedRange<Int>, default fallback: Int) throws -> Int {
        try queryInteger(name, in: range) ?? fallback
    }

    /// The query parameter `name` as an integer in `range`, nil when absent, a 400 otherwise.
    func queryInteger(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let raw = uri.queryParameters[name[...]].map(String.init) else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            let upper = range.upperBound == Int.max ? "" : "\(range.upperBound)"
            throw APIError(
                .badRequest, code: "invalid_parameter", field: name,
                message: "\(name) must be an integer in \(range.lowerBound)...\(upper), got \"\(raw)\"")
        }
        return value
    }

    /// The query parameter `name` as an RFC 3339 time, nil when absent, a 400 otherwise.
    func queryTime(_ name: String) throws -> Date? {
        try RFC3339.parameter(uri.queryParameters[name[...]].map(String.init), field: name)
    }

    /// The query parameter `name` as one of `Value`'s cases, nil when absent, a 400 otherwise.
    func queryValue<Value: RawRepresentable & CaseIterable>(_ name: String, as type: Value.Type) throws -> Value?
    where Value.RawValue == String {
        guard let raw = uri.queryParameters[name[...]].map(String.init) else { return nil }
        guard let value = Value(rawValue: raw) else { throw Self.notOneOf(Value.self, name: name, raw: raw) }
        return value
    }

    /// The query parameter `name` as a comma-separated list of `Value`'s cases (empty when absent).
    func queryList<Value: RawRepresentable & CaseIterable>(_ name: String, of type: Value.Type) throws -> [Value]
    where Value.RawValue == String {
        try (uri.queryParameters[name[...]].map(String.init) ?? "").split(separator: ",").map { raw throws in
            guard let value = Value(rawValue: String(raw)) else { throw Self.notOneOf(Value.self, name: name, raw: String(raw)) }
            return value
        }
    }

    private static func notOneOf<Value: RawRepresentable & CaseIterable>(_ type: Value.Type, name: String, raw: String) -> APIError
    where Value.RawValue == String {
        APIError(
            .badRequest, code: "invalid_parameter", field: name,
            message: "\(name) must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(raw)\"")
    }
}

extension RFC3339 {
    /// `raw` (a query parameter or a body field named `field`) as a time, nil when absent, a 400 otherwise.
    static func parameter(_ raw: String?, field: String) throws -> Date? {
        guard let raw else { return nil }
        guard let date = parse(raw) else {
            throw APIError(
                .badRequest, code: "invalid_parameter", field: field,
                message: "\(field) must be an RFC 3339 time such as 2026-12-01T09:00:00Z, got \"\(raw)\"")
        }
        return date
    }
}
