import Testing
@testable import TocsinServer

@Suite("Client addresses behind proxies")
struct ClientAddressTests {
    let proxies = ClientAddress(trustedProxies: ["127.0.0.1/32", "10.0.0.0/8", "fd00::/8"].compactMap(ClientAddress.Network.init))

    @Test("IPv4 clients of a dual-stack listener are IPv4 addresses, so each has its own bucket")
    func mappedIPv4() {
        #expect(ClientAddress.normalised("::ffff:192.0.2.1") == "192.0.2.1")
        #expect(ClientAddress.normalised("::FFFF:192.0.2.1") == "192.0.2.1")
        #expect(ClientAddress.normalised("2001:db8::1") == "2001:db8::1")
        #expect(TokenBuckets.client(ClientAddress.normalised("::ffff:192.0.2.1")) != TokenBuckets.client(ClientAddress.normalised("::ffff:192.0.2.2")))
    }

    @Test("the rightmost hop that is not a trusted proxy is the client; forged hops to its left are ignored", arguments: [
        ("127.0.0.1", ["203.0.113.5"], "203.0.113.5"),
        ("127.0.0.1", ["6.6.6.6, 203.0.113.5"], "203.0.113.5"),
        ("127.0.0.1", ["6.6.6.6", "203.0.113.5, 10.1.2.3"], "203.0.113.5"),
        ("127.0.0.1", ["10.1.2.3"], "10.1.2.3"),                 // only proxies: the leftmost
        ("127.0.0.1", ["not-an-address"], "127.0.0.1"),          // garbage: the peer
        ("127.0.0.1", [], "127.0.0.1"),
        ("198.51.100.1", ["203.0.113.5"], "198.51.100.1"),       // an untrusted peer names nobody
        ("::ffff:127.0.0.1", ["::ffff:203.0.113.5"], "203.0.113.5"),
        ("fd00::1", ["2001:db8::7"], "2001:db8::7"),
    ])
    func forwarded(peer: String, forwardedFor: [String], client: String) {
        #expect(proxies.client(peer: peer, forwardedFor: forwardedFor) == client)
    }

    @Test("networks: addresses with an optional prefix length", arguments: ["127.0.0.1", "127.0.0.1/32", "10.0.0.0/8", "0.0.0.0/0", "::1", "fd00::/8"])
    func validNetwork(_ text: String) {
        #expect(ClientAddress.Network(text) != nil)
    }

    @Test("networks: nothing else", arguments: ["", "localhost", "10.0.0.0/33", "::1/129", "10.0.0/8", "10.0.0.0/x"])
    func invalidNetwork(_ text: String) {
        #expect(ClientAddress.Network(text) == nil)
    }

    @Test("a network contains the addresses under its prefix")
    func networkContains() {
        #expect(ClientAddress.Network("10.0.0.0/8")?.contains(ClientAddress.bytes("10.255.0.1") ?? []) == true)
        #expect(ClientAddress.Network("10.0.0.0/8")?.contains(ClientAddress.bytes("11.0.0.1") ?? []) == false)
    }
}
