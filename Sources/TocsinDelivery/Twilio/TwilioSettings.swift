import Foundation
import TocsinCore

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

    /// How a text or call that Twilio took but could not deliver (its status callback) is tried
    /// again: at most twice more, a minute and then a few minutes later, within the age of `base`;
    /// never every second as a webhook is (each one rings a phone, and costs).
    public static func redial(_ base: DeliveryPolicy) -> DeliveryPolicy {
        DeliveryPolicy(maxAttempts: 3, maxAge: base.maxAge, initialBackoff: 60, maxBackoff: 300, jitter: 0.2)
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
