import CCurl
import CCurlShim
import Foundation

/// An outbound HTTP request, as libcurl will send it.
public struct HTTPTransferRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// Seconds allowed to establish the connection.
    public var connectTimeout: TimeInterval
    /// Seconds allowed for the whole exchange.
    public var totalTimeout: TimeInterval

    public init(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        connectTimeout: TimeInterval = 5, totalTimeout: TimeInterval = 30
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }
}

/// The answer to an ``HTTPTransferRequest``.
public struct HTTPTransferResponse: Sendable {
    public var status: Int
    /// Response headers, names lower-cased.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }
}

/// Why a transfer produced no HTTP response.
public struct HTTPTransferError: Error, CustomStringConvertible, Sendable {
    /// The broad kind of failure.
    public enum Kind: Sendable, Equatable {
        case couldNotConnect
        case timedOut
        case invalidRequest
        case other
    }

    public var kind: Kind
    /// libcurl's code and its explanation.
    public var curlCode: Int
    public var message: String
    public var url: String

    public var description: String { "\(url): \(message) (curl error \(curlCode))" }
}

/// Blocking HTTP transfers through libcurl's easy interface.
///
/// A transfer blocks its thread until it completes: call it from a CLI, or from the dedicated
/// worker threads of the delivery pool, never from the HTTP server's event loop or the Swift
/// concurrency pool.
public enum HTTPTransfer {
    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }()

    /// Performs `request` and returns the response, whatever its status code.
    public static func perform(_ request: HTTPTransferRequest) throws(HTTPTransferError) -> HTTPTransferResponse {
        _ = globalInit
        guard let handle = curl_easy_init() else {
            throw HTTPTransferError(kind: .other, curlCode: -1, message: "curl_easy_init failed", url: request.url)
        }
        defer { curl_easy_cleanup(handle) }

        let sink = ResponseSink()
        let sinkPointer = Unmanaged.passRetained(sink)
        defer { sinkPointer.release() }

        var headerList: UnsafeMutablePointer<curl_slist>?
        for header in request.headers {
            headerList = curl_slist_append(headerList, "\(header.name): \(header.value)")
        }
        // Without this, curl adds `Expect: 100-continue` to larger bodies and waits for it.
        headerList = curl_slist_append(headerList, "Expect:")
        defer { curl_slist_free_all(headerList) }

        tocsin_curl_setopt_string(handle, CURLOPT_URL, request.url)
        tocsin_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        tocsin_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout * 1000))
        tocsin_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(request.totalTimeout * 1000))
        tocsin_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        tocsin_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        tocsin_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        if let body = request.body {
            tocsin_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
            body.withUnsafeBytes { bytes in
                _ = tocsin_curl_setopt_pointer(
                    handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            }
        } else if request.method == "GET" {
            tocsin_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        }
        tocsin_curl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, userdata in
            guard let data, let userdata else { return 0 }
            let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
            let length = size * count
            sink.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
            return length
        }
        tocsin_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer.toOpaque())
        tocsin_curl_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, userdata in
            guard let data, let userdata else { return 0 }
            let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
            let length = size * count
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
            sink.headerLine(line)
            return length
        }
        tocsin_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer.toOpaque())

        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            let message = String(cString: curl_easy_strerror(code))
            let kind: HTTPTransferError.Kind =
                switch code {
                case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .couldNotConnect
                case CURLE_OPERATION_TIMEDOUT: .timedOut
                case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: .invalidRequest
                default: .other
                }
            throw HTTPTransferError(kind: kind, curlCode: Int(code.rawValue), message: message, url: request.url)
        }
        var status = 0
        tocsin_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPTransferResponse(status: status, headers: sink.headers, body: sink.body)
    }

    /// Collects the body and headers of one transfer; touched only by that transfer's thread.
    private final class ResponseSink {
        var body: [UInt8] = []
        var headers: [(name: String, value: String)] = []

        func headerLine(_ line: String) {
            if line.hasPrefix("HTTP/") {
                headers.removeAll()  // a new response (after 100 Continue or a redirect)
                return
            }
            guard let colon = line.firstIndex(of: ":") else { return }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            headers.append((name, value))
        }
    }
}
