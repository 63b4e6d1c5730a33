/// Why an ingest payload was rejected: the field at fault and what is wrong with it.
///
/// `field` is a path into the JSON body such as `alerts[2].labels.my-label`; an empty path means
/// the body as a whole.
public struct IngestValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: String
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String {
        field.isEmpty ? problem : "\(field): \(problem)"
    }

    /// Translates a `DecodingError` into the field path and a plain-language problem.
    public init(decodingError: DecodingError) {
        switch decodingError {
        case .typeMismatch(let type, let context):
            self.init(field: Self.path(context.codingPath), problem: "expected \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            self.init(field: Self.path(context.codingPath), problem: "expected \(Self.describe(type)), got null")
        case .keyNotFound(let key, let context):
            self.init(field: Self.path(context.codingPath + [key]), problem: "is required")
        case .dataCorrupted(let context):
            let problem =
                context.codingPath.isEmpty ? "the body is not valid JSON" : context.debugDescription
            self.init(field: Self.path(context.codingPath), problem: problem)
        @unknown default:
            self.init(field: "", problem: "the body could not be decoded")
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        var path = ""
        for key in codingPath {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += path.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return path
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is [String: String].Type: "an object of string values"
        case is [AlertmanagerWebhook.WireAlert].Type, is [Any].Type: "an array"
        default: "a value of type \(type)"
        }
    }
}
