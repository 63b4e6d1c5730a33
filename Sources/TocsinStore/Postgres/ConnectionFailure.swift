import Foundation
import NIOCore
import NIOPosix

/// Why no connection to PostgreSQL could be made, in words an operator can act on: refused (no
/// server there), an unknown host, or no answer in time. `nil` for any other cause, which is then
/// shown as postgres-nio reports it.
enum ConnectionFailure {
    static func explain(_ error: any Error) -> String? {
        switch error {
        case let error as NIOConnectionError:
            let address = "\(error.host):\(error.port)"
            if error.connectionErrors.contains(where: { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }) {
                return "nothing accepts connections at \(address) (connection refused): is PostgreSQL running there, and "
                    + "listening on that address and port (listen_addresses, port in postgresql.conf)?"
            }
            if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
                return "the host \(error.host) is not known (its DNS lookup failed)"
            }
            if let timeout = error.connectionErrors.lazy.compactMap({ Self.timeout(in: $0.error) }).first {
                return "no answer from \(address) within \(timeout) (a firewall, or the wrong address?)"
            }
            return nil
        case let error as SocketAddressError.UnknownHost:
            return "the host \(error.host) is not known (its DNS lookup failed)"
        default:
            return Self.timeout(in: error).map { "no answer within \($0) (a firewall, or the wrong address?)" }
        }
    }

    /// The wait of a connection attempt that timed out, in seconds (`10 s`, `2.5 s`).
    private static func timeout(in error: any Error) -> String? {
        guard case ChannelError.connectTimeout(let amount) = error else { return nil }
        return String(format: "%g s", Double(amount.nanoseconds) / 1_000_000_000)
    }
}
