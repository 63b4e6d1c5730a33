import Testing
import TocsinCore

@Suite("Delivery destinations")
struct DeliveryDestinationTests {
    @Test(
        "a webhook's destination is its URL's origin; every email's is the SMTP server",
        arguments: [
            ("https://hooks.example.com:8443/services/T0/B0?x=1", "https://hooks.example.com:8443"),
            ("http://127.0.0.1:9001?who=bob", "http://127.0.0.1:9001"),
            ("https://hooks.example.com#x", "https://hooks.example.com"),
            ("https://bare.example.com", "https://bare.example.com"),
            ("https://user:pw@hooks.example.com/a:b//c", "https://user:pw@hooks.example.com"),
            ("https://hôte.example/alerte", "https://hôte.example"),
            ("http:///path", "http:///path"),  // no host: the address stands for itself
            ("not a url", "not a url"),
            ("http:/one-slash", "http:/one-slash"),
        ])
    func destinations(address: String, destination: String) {
        #expect(DeliveryDestination.of(medium: .webhook, address: address) == destination)
        #expect(DeliveryDestination.of(medium: .email, address: "x@example.com") == DeliveryDestination.mail)
    }
}
