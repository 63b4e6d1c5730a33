import Crypto
import Foundation
import Hummingbird
import TocsinCore

/// The console's session cookie: a random secret the browser keeps (`HttpOnly`, `SameSite=Strict`,
/// `Secure` behind https), stored by Tocsin only as its SHA-256. The form token (CSRF) is derived
/// from the same secret, so it needs no storage and dies with the session.
enum ConsoleSessionCookie {
    static let name = "tocsin_session"

    /// A new session secret: 32 random bytes in hex.
    static func generate() -> String {
        String(APIToken.generate().dropFirst(4))
    }

    /// What the database stores for a session secret.
    static func hash(_ secret: String) -> String {
        APIToken.hash("session:" + secret)
    }

    /// The form token of a session: every form the console posts carries it.
    static func csrfToken(forSecret secret: String) -> String {
        APIToken.hash("csrf:" + secret)
    }

    /// The cookie that carries `secret` for `lifetime`.
    static func cookie(_ secret: String, lifetime: TimeInterval, secure: Bool) -> Cookie {
        Cookie(
            name: name, value: secret, maxAge: Int(lifetime), path: "/ui", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// The cookie that makes the browser forget its session.
    static func expired(secure: Bool) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/ui", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// The secret a request presents, if it looks like one of ours.
    static func secret(of request: Request) -> String? {
        guard let value = request.cookies[name]?.value, value.count == 64,
            value.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else { return nil }
        return value
    }
}
