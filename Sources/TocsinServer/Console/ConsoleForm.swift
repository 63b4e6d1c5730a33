import Foundation
import Hummingbird

/// A form the console posted (`application/x-www-form-urlencoded`, at most 64 KiB), checked
/// against the session's form token before anything else is read from it.
struct ConsoleForm: Sendable {
    let fields: [String: String]

    init(_ request: Request, context: TocsinRequestContext, checkingToken: Bool = true) async throws {
        let body = try await request.body.collect(upTo: 64 * 1024)
        let text = String(buffer: body)
        do {
            fields = text.isEmpty ? [:] : try URLEncodedFormDecoder().decode([String: String].self, from: text)
        } catch {
            throw APIError(.badRequest, code: "invalid_body", message: "the form could not be read")
        }
        guard checkingToken else { return }
        guard let expected = context.consoleCSRF, let presented = fields["csrf"], !presented.isEmpty else {
            throw APIError(.forbidden, code: "csrf", field: "csrf", message: "the form carried no form token: reload the page and try again")
        }
        guard APIToken.constantTimeEquals(expected, presented) else {
            throw APIError(.forbidden, code: "csrf", field: "csrf", message: "the form's token is not this session's: reload the page and try again")
        }
    }

    /// A field, trimmed; nil when absent or empty.
    subscript(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// A field that must be there, or a 400 naming it.
    func required(_ name: String) throws -> String {
        guard let value = self[name] else {
            throw APIError(.badRequest, code: "invalid_field", field: name, message: "\(name) is required")
        }
        return value
    }
}
