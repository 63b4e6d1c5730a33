import Foundation
import Hummingbird
import NIOCore
import TocsinCore
import TocsinDelivery
import TocsinStore

/// Small self-contained HTML pages for people following links.
enum HTMLPage {
    static func response(status: HTTPResponse.Status, title: String, message: String) -> Response {
        response(status: status, title: title, html: "<p>\(escape(message))</p>")
    }

    static func incidentNotFound(_ id: Int64) -> Response {
        response(status: .notFound, title: "Incident not found", message: "Incident #\(id) does not exist.")
    }

    static func response(rejection: LinkSigner.Rejection) -> Response {
        if case .expired = rejection {
            return response(status: .gone, title: "This link has expired", message: "\(rejection). Nothing was changed.")
        }
        return response(status: .forbidden, title: "This link is not valid", message: "\(rejection). Nothing was changed.")
    }

    static func response(status: HTTPResponse.Status, title: String, html: String) -> Response {
        let page = """
            <!doctype html>
            <html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <meta name="robots" content="noindex"><title>\(escape(title)) — Tocsin</title>
            <style>body{font-family:system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em}
            button{font-size:1.2em;padding:.5em 1.5em}</style></head>
            <body><h1>\(escape(title))</h1>
            \(html)
            </body></html>
            """
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    static func escape(_ text: String) -> String {
        EmailMessage.escapeHTML(text)
    }
}
