import CCurl
import CCurlShim
import Foundation

/// Why a transfer produced no answer from the other side.
public struct TransferError: Error, CustomStringConvertible, Sendable {
    /// The broad kind of failure.
    public enum Kind: Sendable, Equatable {
        case couldNotConnect
        case timedOut
        case invalidRequest
        /// The server answered, but refused (SMTP: a 4xx/5xx reply to MAIL, RCPT or DATA).
        case refused
        case other
    }

    public var kind: Kind
    /// libcurl's error code.
    public var curlCode: Int
    public var message: String
    public var url: String
    /// The last reply code the server sent before the failure (an SMTP code such as 550), or 0.
    public var responseCode: Int = 0

    public var description: String { "\(Self.redacted(url)): \(message) (curl error \(curlCode))" }

    /// `https://hooks.example.com/…`: scheme, host and port only. Paths, queries and user
    /// information of webhook URLs are often credentials, so they never reach logs or the database.
    public static func redacted(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else {
            return "(url)"
        }
        let port = components.port.map { ":\($0)" } ?? ""
        let rest = (components.path.isEmpty || components.path == "/") && components.query == nil ? "" : "/…"
        return "\(scheme)://\(host)\(port)\(rest)"
    }
}

/// One libcurl easy handle, configured through the typed shim and performed once.
///
/// Blocks its thread while performing: use it from a CLI or from the delivery pool's own
/// threads, never from an event loop or the Swift concurrency pool.
///
/// With `reusingConnections`, the handle is the thread's own (``ThreadCurlHandle``): its live
/// connections stay open for the thread's next transfer.
final class CurlEasy {
    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }()

    let handle: UnsafeMutableRawPointer
    let url: String
    private var lists: [UnsafeMutablePointer<curl_slist>?] = []
    let sink = Sink()
    private let sinkPointer: Unmanaged<Sink>
    private let reusingConnections: Bool

    init(url: String, connectTimeout: TimeInterval, totalTimeout: TimeInterval, reusingConnections: Bool = false) throws(TransferError) {
        _ = Self.globalInit
        self.reusingConnections = reusingConnections
        guard let handle = (reusingConnections ? ThreadCurlHandle.take() : nil) ?? curl_easy_init() else {
            throw TransferError(kind: .other, curlCode: -1, message: "curl_easy_init failed", url: url)
        }
        self.handle = handle
        self.url = url
        self.sinkPointer = Unmanaged.passRetained(sink)
        set(CURLOPT_URL, url)
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout * 1000))
        set(CURLOPT_TIMEOUT_MS, Int(totalTimeout * 1000))
        tocsin_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, userdata in
            guard let data, let userdata else { return 0 }
            let length = size * count
            let sink = Unmanaged<Sink>.fromOpaque(userdata).takeUnretainedValue()
            guard let limit = sink.limit, sink.body.count + length > limit else {
                sink.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
                return length
            }
            // Keep what fits and stop the transfer: a receiver cannot make Tocsin buffer a huge answer.
            sink.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: max(0, limit - sink.body.count)))
            sink.truncated = true
            return 0
        }
        tocsin_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer.toOpaque())
        tocsin_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, userdata in
            guard let data, let userdata else { return 0 }
            let length = size * count
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
            Unmanaged<Sink>.fromOpaque(userdata).takeUnretainedValue().headerLine(line)
            return length
        }
        tocsin_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer.toOpaque())
    }

    deinit {
        // A transfer cut short closed its connection; otherwise the thread keeps the handle.
        if !(reusingConnections && !sink.truncated && ThreadCurlHandle.keep(handle)) {
            curl_easy_cleanup(handle)
        }
        lists.forEach { curl_slist_free_all($0) }
        sinkPointer.release()
    }

    func set(_ option: CURLoption, _ value: Int) {
        tocsin_curl_setopt_long(handle, option, value)
    }

    func set(_ option: CURLoption, _ value: String) {
        tocsin_curl_setopt_string(handle, option, value)
    }

    /// Sets a list option (headers, recipients); the list lives as long as the handle.
    func set(_ option: CURLoption, list: [String]) {
        var slist: UnsafeMutablePointer<curl_slist>?
        for item in list {
            slist = curl_slist_append(slist, item)
        }
        lists.append(slist)
        tocsin_curl_setopt_slist(handle, option, slist)
    }

    /// Supplies the request body from `bytes` through the read callback (for uploads such as SMTP DATA).
    func upload(_ bytes: [UInt8]) {
        sink.upload = bytes
        set(CURLOPT_UPLOAD, 1)
        set(CURLOPT_INFILESIZE, bytes.count)
        tocsin_curl_setopt_callback(handle, CURLOPT_READFUNCTION) { buffer, size, count, userdata in
            guard let buffer, let userdata else { return 0 }
            let sink = Unmanaged<Sink>.fromOpaque(userdata).takeUnretainedValue()
            let length = min(size * count, sink.upload.count - sink.uploadOffset)
            sink.upload.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                UnsafeMutableRawPointer(buffer).copyMemory(from: base + sink.uploadOffset, byteCount: length)
            }
            sink.uploadOffset += length
            return length
        }
        tocsin_curl_setopt_pointer(handle, CURLOPT_READDATA, sinkPointer.toOpaque())
    }

    /// Runs the transfer; throws when libcurl reports an error.
    func perform() throws(TransferError) {
        let code = curl_easy_perform(handle)
        // Stopped on purpose at the body's limit: the status and headers had arrived.
        guard code == CURLE_OK || (code == CURLE_WRITE_ERROR && sink.truncated) else {
            let kind: TransferError.Kind =
                switch code {
                case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .couldNotConnect
                case CURLE_OPERATION_TIMEDOUT: .timedOut
                case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: .invalidRequest
                case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING: .couldNotConnect
                case CURLE_LOGIN_DENIED, CURLE_QUOTE_ERROR, CURLE_WEIRD_SERVER_REPLY: .refused
                default: .other
                }
            throw TransferError(
                kind: kind, curlCode: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)), url: url,
                responseCode: responseCode)
        }
    }

    /// The last response code (HTTP status, or SMTP reply code).
    var responseCode: Int {
        var code = 0
        tocsin_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// Collects what one transfer receives and supplies what it uploads; used by that transfer's thread only.
    final class Sink {
        var body: [UInt8] = []
        /// The most of the body kept; past it the transfer stops and `truncated` is set.
        var limit: Int?
        var truncated = false
        var headers: [(name: String, value: String)] = []
        var upload: [UInt8] = []
        var uploadOffset = 0

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

/// One idle libcurl handle per thread, so that transfers a thread makes one after another reuse
/// its live connections (keep-alive, TLS sessions, resolved names) instead of opening one for
/// each page. Per thread because libcurl does not support sharing connections between threads;
/// the handle is closed when its thread ends.
enum ThreadCurlHandle {
    private static let key: pthread_key_t? = {
        var key = pthread_key_t()
        #if canImport(Darwin)
        let created = pthread_key_create(&key) { handle in curl_easy_cleanup(handle) }
        #else
        let created = pthread_key_create(&key) { handle in if let handle { curl_easy_cleanup(handle) } }
        #endif
        guard created == 0 else { return nil }
        return key
    }()

    /// The thread's idle handle, if it has one (it is no longer the thread's until kept again).
    static func take() -> UnsafeMutableRawPointer? {
        guard let key, let handle = pthread_getspecific(key) else { return nil }
        pthread_setspecific(key, nil)
        return handle
    }

    /// Keeps `handle` for the thread's next transfer, with every option reset (nothing left
    /// pointing at the finished transfer's memory); false when the thread keeps one already.
    static func keep(_ handle: UnsafeMutableRawPointer) -> Bool {
        guard let key, pthread_getspecific(key) == nil else { return false }
        curl_easy_reset(handle)
        pthread_setspecific(key, handle)
        return true
    }
}
