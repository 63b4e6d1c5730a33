import Crypto
import Foundation
import Mustache

/// The web console's templates, stylesheet and script, carried in the binary: generated from
/// `console/` by `scripts/embed-console` (a test fails when the two differ).
enum ConsoleAssets {
    /// A file served under `/ui/static/`: its bytes, type and validator.
    struct StaticFile: Sendable {
        let body: String
        let contentType: String
        /// A strong validator (`"…"`), so a browser asks again cheaply.
        let etag: String
    }

    /// Every template, parsed; throws naming the template that does not parse.
    static func library() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for template in templates {
            do {
                try library.register(template.text, named: template.name)
            } catch {
                throw ConsoleTemplateError(name: template.name, underlying: "\(error)")
            }
        }
        return library
    }

    /// The static files by name, with their types.
    static let staticFiles: [String: StaticFile] = Dictionary(
        uniqueKeysWithValues: files.map { file in
            let type =
                file.name.hasSuffix(".css")
                ? "text/css; charset=utf-8" : file.name.hasSuffix(".svg") ? "image/svg+xml" : "text/javascript; charset=utf-8"
            let digest = SHA256.hash(data: Data(file.text.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined()
            return (file.name, StaticFile(body: file.text, contentType: type, etag: "\"\(digest)\""))
        })
}

/// A console template that does not parse: a defect of the build, named so it can be fixed.
struct ConsoleTemplateError: Error, CustomStringConvertible {
    let name: String
    let underlying: String
    var description: String { "console template \(name).mustache does not parse: \(underlying)" }
}
