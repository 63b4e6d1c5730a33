import Foundation
import Logging
import NIOCore
import Testing
import TocsinTestSupport

@testable import TocsinStore

/// A PostgreSQL that cannot be reached is named with what to check, not with postgres-nio's
/// internal description.
@Suite("PostgreSQL out of reach, explained")
struct ConnectionFailureTests {
    @Test("no server at the address: refused, and the operator is told what to check")
    func refused() async throws {
        let location = PostgresLocation(host: "127.0.0.1", port: 1, username: "tocsin", database: "tocsin", tls: .disable)
        do {
            let store = try await PostgresStore.open(location, logger: Logger(label: "test"))
            await store.close()
            Issue.record("a store opened on a port where nothing listens")
        } catch {
            #expect(
                error.description.hasSuffix(
                    "nothing accepts connections at 127.0.0.1:1 (connection refused): is PostgreSQL running there, and listening on "
                        + "that address and port (listen_addresses, port in postgresql.conf)?"),
                "\(error)")
            #expect(error.description.contains("postgres://tocsin@127.0.0.1:1/tocsin"))
        }
    }

    @Test("a connection that times out says how long it waited")
    func timeout() {
        #expect(ConnectionFailure.explain(ChannelError.connectTimeout(.seconds(10))) == "no answer within 10 s (a firewall, or the wrong address?)")
        #expect(ConnectionFailure.explain(ChannelError.connectTimeout(.milliseconds(2500))) == "no answer within 2.5 s (a firewall, or the wrong address?)")
        #expect(ConnectionFailure.explain(ChannelError.ioOnClosedChannel) == nil, "other causes are shown as reported")
    }
}
