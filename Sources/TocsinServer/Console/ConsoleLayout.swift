import TocsinCore

/// What every console page's frame shows: the title, who is signed in, the form token, which
/// section is current and what the session may do. Templates read it as `layout`.
struct ConsoleLayout: Sendable {
    /// The current section, underlined in the navigation.
    enum Section: Sendable {
        case incidents, oncall, deliveries, heartbeats, maintenance, none
    }

    /// One flag per section, for the templates (`layout.nav.incidents`).
    struct Navigation: Sendable {
        var incidents = false
        var oncall = false
        var deliveries = false
        var heartbeats = false
        var maintenance = false
    }

    var title: String
    var signedIn: Bool
    var user: String
    var csrf: String
    var nav = Navigation()
    /// A short confirmation after an action (`Acknowledged.`), from a fixed list.
    var notice: String?
    var canRespond: Bool
    var canAdmin: Bool

    /// The frame of a signed-in page.
    init(title: String, section: Section, context: TocsinRequestContext, notice: String? = nil) {
        self.title = title
        self.signedIn = context.user != nil
        self.user = context.user?.name ?? ""
        self.csrf = context.consoleCSRF ?? ""
        self.notice = notice
        self.canRespond = TokenScope.respond.isGranted(by: context.scopes)
        self.canAdmin = TokenScope.admin.isGranted(by: context.scopes)
        switch section {
        case .incidents: nav.incidents = true
        case .oncall: nav.oncall = true
        case .deliveries: nav.deliveries = true
        case .heartbeats: nav.heartbeats = true
        case .maintenance: nav.maintenance = true
        case .none: break
        }
    }

    /// The frame of a page shown before signing in.
    init(signedOutTitle title: String) {
        self.title = title
        self.signedIn = false
        self.user = ""
        self.csrf = ""
        self.canRespond = false
        self.canAdmin = false
    }

    /// The confirmations an action's redirect may ask for (`?done=acknowledged`); anything else shows nothing.
    static let notices: [String: String] = [
        "acknowledged": "Acknowledged.", "resolved": "Resolved.", "noted": "Note added.", "escalated": "Escalated.",
        "paged": "Paged.", "override-added": "Override added.", "override-removed": "Override removed.",
        "retried": "Queued to be sent again now.", "unchanged": "Nothing changed: it was already so.",
    ]
}
