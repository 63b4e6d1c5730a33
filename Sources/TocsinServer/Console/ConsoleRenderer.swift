import Foundation
import Hummingbird
import Mustache
import NIOCore

/// Renders console pages from their templates into responses (HTML-escaped by default).
struct ConsoleRenderer: Sendable {
    let library: MustacheLibrary
    /// Why the templates could not be read (a defect of the build, which a test catches): every
    /// page then answers 500 saying so, and the rest of Tocsin runs on.
    let problem: String?

    init() {
        do {
            library = try ConsoleAssets.library()
            problem = nil
        } catch {
            library = MustacheLibrary()
            problem = "\(error)"
        }
    }

    /// The page `template` for `view`, as an HTML response.
    func page(_ template: String, _ view: some Sendable, status: HTTPResponse.Status = .ok) -> Response {
        guard problem == nil, let html = library.render(TemplateValues.of(view), withTemplate: template) else {
            return Self.html(
                "<!doctype html><title>Tocsin</title><p>The console cannot render its pages: \(HTMLPage.escape(problem ?? "no template \(template)"))</p>",
                status: .internalServerError)
        }
        return Self.html(html, status: status)
    }

    /// A page that says what went wrong and links back.
    func message(heading: String, message: String, back: String, status: HTTPResponse.Status, layout: ConsoleLayout) -> Response {
        page("message", MessageView(layout: layout, heading: heading, message: message, back: back), status: status)
    }

    static func html(_ html: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// After a form: back to a page with `303 See Other`, so reloading does not post again.
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// A page's text in HTML, outside the templates.
    private struct MessageView: Sendable {
        let layout: ConsoleLayout
        let heading: String
        let message: String
        let back: String
    }
}
