import Foundation
import TocsinCore

/// A text or a call, as Twilio's REST API takes it: a form POST to `Messages.json` or `Calls.json`
/// with basic authentication, whose status callback comes back to `/twilio/status/{delivery}`.
enum TwilioRequest {
    /// The request for `entry`: a text of `body`, or a call whose TwiML is at `body` (a signed URL).
    static func make(
        _ entry: OutboxEntry, body: String, twilio: TwilioSettings, publicURL: String, settings: DeliverySettings
    ) -> HTTPTransferRequest {
        var fields: [(String, String)] = [("To", entry.address)]
        let resource: String
        if entry.medium == .voice {
            resource = "Calls"
            fields.append(("From", twilio.from ?? ""))
            fields.append(("Url", body))
        } else {
            resource = "Messages"
            if let service = twilio.messagingServiceSID {
                fields.append(("MessagingServiceSid", service))
            } else {
                fields.append(("From", twilio.from ?? ""))
            }
            fields.append(("Body", body))
        }
        // The attempt is named, so that a late callback about an earlier attempt is not taken for this one's.
        fields.append(("StatusCallback", "\(publicURL)/twilio/status/\(entry.id ?? 0)?attempt=\(entry.attempts)"))
        return HTTPTransferRequest(
            method: "POST", url: twilio.resourceURL(resource),
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", twilio.authorization),
                ("User-Agent", settings.userAgent),
            ],
            body: Array(formEncoded(fields).utf8), connectTimeout: settings.connectTimeout, totalTimeout: settings.timeout,
            maxResponseBytes: CurlTransport.maxResponseBytes)
    }

    /// `application/x-www-form-urlencoded`: letters, digits and `-._~` as they are, the rest escaped.
    static func formEncoded(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        return fields.map { name, value in
            (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") + "="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }.joined(separator: "&")
    }

    /// What Twilio's error answer says, for the delivery's record: `Twilio 21211: The 'To' number … is
    /// not a valid phone number.`; the body's start when it is not Twilio's error JSON.
    static func detail(_ body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], let code = object["code"] {
            let message = object["message"] as? String ?? ""
            return "Twilio \(code): \(message)"
        }
        return String(decoding: body.prefix(200), as: UTF8.self)
    }
}
