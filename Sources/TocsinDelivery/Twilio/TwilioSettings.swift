import Foundation

/// The Twilio account texts and calls go out through (`serve --twilio-account-sid`, the auth token
/// from `TOCSIN_TWILIO_AUTH_TOKEN`, never logged).
public struct TwilioSettings: Sendable {
    public var accountSID: String
    public var authToken: String
    /// The number texts and calls come from (E.164); a messaging service may send texts instead.
    public var from: String?
    /// A messaging service that picks the sending number for texts (`MG…`).
    public var messagingServiceSID: String?
    /// Twilio's REST API; only tests point it elsewhere (`serve --twilio-api-url`).
    public var apiURL: String
    /// At most this many texts and calls per phone number per hour (0: no limit).
    public var phoneRateLimit: Int

    public static let defaultAPIURL = "https://api.twilio.com"
    /// The action a call's signed URL grants (``LinkSigner``): answering its questions about the incident.
    public static let voiceAction = "voice"

    public init(
        accountSID: String, authToken: String, from: String? = nil, messagingServiceSID: String? = nil,
        apiURL: String = TwilioSettings.defaultAPIURL, phoneRateLimit: Int = 20
    ) {
        self.accountSID = accountSID
        self.authToken = authToken
        self.from = from
        self.messagingServiceSID = messagingServiceSID
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.phoneRateLimit = phoneRateLimit
    }

    /// `…/2010-04-01/Accounts/{sid}/Messages.json` or `Calls.json`.
    func resourceURL(_ resource: String) -> String {
        "\(apiURL)/2010-04-01/Accounts/\(accountSID)/\(resource).json"
    }

    /// HTTP basic authentication with the account SID and the auth token.
    var authorization: String {
        "Basic " + Data("\(accountSID):\(authToken)".utf8).base64EncodedString()
    }
}
