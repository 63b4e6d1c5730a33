import NIOCore
import NIOPosix

/// `tocsin serve --port 0`: the port the system would give, found before the server starts, so
/// that the links in pages (the public URL, when `--public-url` is not set) name the real port.
public enum FreePort {
    /// A port free on `host` now: bound once and let go. (The server binds it a moment later; if
    /// something took it meanwhile, the server's bind fails and says so.)
    public static func pick(host: String) async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: 0).get()
        let port = channel.localAddress?.port
        try await channel.close().get()
        guard let port, port > 0 else { throw FreePortError(host: host) }
        return port
    }
}

/// The system bound the probe but did not say which port it gave.
struct FreePortError: Error, CustomStringConvertible {
    var host: String
    var description: String { "the system did not say which port it gave on \(host)" }
}
