import Foundation
import Testing
import TocsinCore
import TocsinTestSupport

/// SNS bodies read from `Tests/Fixtures/cloudwatch/`, the exact bytes SNS signs, and which
/// certificate and subscribe URLs may be fetched.
@Suite("SNS messages")
struct SNSMessageTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/cloudwatch/\(name).json")
        return Array(try Data(contentsOf: url))
    }

    static let fixtures: [(name: String, type: SNSMessage.Kind)] = [
        ("sns-subscription-confirmation", .subscriptionConfirmation),
        ("sns-notification-alarm", .notification),
        ("sns-notification-ok", .notification),
    ]

    @Test("every fixture decodes, with its type", arguments: fixtures)
    func decodesFixtures(_ fixture: (name: String, type: SNSMessage.Kind)) throws {
        let message = try SNSMessage.decode(Self.fixture(fixture.name))
        #expect(message.type == fixture.type)
        #expect(message.topicArn == "arn:aws:sns:us-east-1:123456789012:tocsin-alarms")
        #expect(message.sentAt != nil)
        #expect(message.signingCertificateURLProblem() == nil)
    }

    @Test("a subscription confirmation keeps its token and URL; escapes are undone")
    func readsConfirmation() throws {
        let message = try SNSMessage.decode(Self.fixture("sns-subscription-confirmation"))
        #expect(message.isConfirmation)
        #expect(message.subject == nil)
        #expect(message.token?.hasPrefix("2336412f37") == true)
        #expect(message.subscribeURL?.hasPrefix("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=") == true)
        #expect(message.message.contains("tocsin-alarms.\nTo confirm"))
        #expect(message.subscribeURLProblem() == nil)
    }

    // MARK: - The string to sign

    @Test("a subscription confirmation signs Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type")
    func confirmationStringToSign() throws {
        let message = try SNSMessage.decode(Self.fixture("sns-subscription-confirmation"))
        let token =
            "2336412f37fb687f5d51e6e2425dacbbaaf36e6d6c5c9d1a8f0e3b8c7a6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b"
        let topic = "arn:aws:sns:us-east-1:123456789012:tocsin-alarms"
        let expected =
            "Message\nYou have chosen to subscribe to the topic \(topic).\nTo confirm the subscription, visit the SubscribeURL included in this message.\n"
            + "MessageId\n165545c9-2a5c-472c-8df2-7ff2be2b3b1b\n"
            + "SubscribeURL\nhttps://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=\(topic)&Token=\(token)\n"
            + "Timestamp\n2026-11-27T17:02:11.751Z\n"
            + "Token\n\(token)\n"
            + "TopicArn\n\(topic)\n"
            + "Type\nSubscriptionConfirmation\n"
        #expect(message.stringToSign == Array(expected.utf8))
    }

    @Test("an unsubscribe confirmation signs the same fields as a subscription confirmation")
    func unsubscribeStringToSign() {
        let message = SNSMessage(
            type: .unsubscribeConfirmation, messageId: "m-1", topicArn: "arn:t", message: "bye", timestamp: "2026-01-01T00:00:00.000Z",
            signatureVersion: "2", signature: "c2ln", signingCertURL: "https://sns.us-east-1.amazonaws.com/c.pem",
            subscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription", token: "tok")
        let expected =
            "Message\nbye\nMessageId\nm-1\nSubscribeURL\nhttps://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription\n"
            + "Timestamp\n2026-01-01T00:00:00.000Z\nToken\ntok\nTopicArn\narn:t\nType\nUnsubscribeConfirmation\n"
        #expect(message.stringToSign == Array(expected.utf8))
    }

    @Test("a notification signs Message, MessageId, Subject, Timestamp, TopicArn, Type, and never UnsubscribeURL")
    func notificationStringToSign() throws {
        let message = try SNSMessage.decode(Self.fixture("sns-notification-alarm"))
        let expected =
            "Message\n\(message.message)\n"
            + "MessageId\n0f2a3b4c-5d6e-5f70-8192-a3b4c5d6e7f8\n"
            + "Subject\nALARM: \"web-prod-HighCPU\" in US East (N. Virginia)\n"
            + "Timestamp\n2026-11-27T17:20:03.477Z\n"
            + "TopicArn\narn:aws:sns:us-east-1:123456789012:tocsin-alarms\n"
            + "Type\nNotification\n"
        #expect(message.stringToSign == Array(expected.utf8))
        #expect(message.message.hasPrefix(#"{"AlarmName":"web-prod-HighCPU","#))
    }

    @Test("a notification without a Subject (absent or null) leaves the pair out")
    func notificationWithoutSubject() throws {
        let expected = Array(
            "Message\nHello world!\nMessageId\nid-1\nTimestamp\n2012-05-02T00:54:06.655Z\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\nType\nNotification\n"
                .utf8)
        for subject in ["", #""Subject":null,"#] {
            let body =
                #"{"Type":"Notification","MessageId":"id-1","TopicArn":"arn:aws:sns:us-west-2:123456789012:MyTopic",\#(subject)"Message":"Hello world!","Timestamp":"2012-05-02T00:54:06.655Z","SignatureVersion":"1","Signature":"c2ln","SigningCertURL":"https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem"}"#
            let message = try SNSMessage.decode(Array(body.utf8))
            #expect(message.subject == nil)
            #expect(message.stringToSign == expected)
        }
    }

    @Test("an empty Subject that is present is signed as present")
    func emptySubjectIsSigned() {
        let message = SNSMessage(
            type: .notification, messageId: "i", topicArn: "t", subject: "", message: "m", timestamp: "2026-01-01T00:00:00Z",
            signatureVersion: "1", signature: "s", signingCertURL: "https://sns.us-east-1.amazonaws.com/c.pem")
        #expect(message.stringToSign == Array("Message\nm\nMessageId\ni\nSubject\n\nTimestamp\n2026-01-01T00:00:00Z\nTopicArn\nt\nType\nNotification\n".utf8))
    }

    // MARK: - Which URLs may be fetched

    /// Trusts a test server on 127.0.0.1 over plain http, on any port.
    static let loopback = SNSMessage.Trust(allowsPlainHTTP: true, allowsAnyPort: true) { $0 == "127.0.0.1" }

    static let certificateURLs: [(url: String, loopback: Bool, fragment: String?)] = [
        ("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem", false, nil),
        ("https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem", false, nil),
        ("https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem", false, nil),
        ("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem", false, nil),
        ("https://SNS.US-EAST-1.AMAZONAWS.COM/SimpleNotificationService-abc.pem", false, nil),
        ("https://sns.us-east-1.amazonaws.com:443/SimpleNotificationService-abc.pem", false, nil),
        ("http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem", false, "must be an https URL"),
        ("https://sns.us-east-1.amazonaws.com.evil.com/SimpleNotificationService-abc.pem", false, "not an Amazon SNS host"),
        ("https://evil.com/sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem", false, "not an Amazon SNS host"),
        ("https://sns.us-east-1.amazonaws.com@evil.com/SimpleNotificationService-abc.pem", false, "user name"),
        ("https://sns.us-east-1.amazonaws.com./SimpleNotificationService-abc.pem", false, "not an Amazon SNS host"),
        ("https://sns.amazonaws.com/SimpleNotificationService-abc.pem", false, "not an Amazon SNS host"),
        ("https://sns.useast1.amazonaws.com/SimpleNotificationService-abc.pem", false, "not an Amazon SNS host"),
        ("https://sns.us-east-1.amazonaws.com.cn/SimpleNotificationService-abc.pem", false, "not an Amazon SNS host"),
        ("https://sqs.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem", false, "not an Amazon SNS host"),
        ("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.txt", false, ".pem"),
        ("https://sns.us-east-1.amazonaws.com/", false, ".pem"),
        ("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem?x=1", false, "query"),
        ("https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-abc.pem", false, "port"),
        ("sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem", false, "not a URL"),
        ("ftp://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem", false, "must be an https URL"),
        // A test's own trust: its server on loopback, plain http, any port; nothing else.
        ("http://127.0.0.1:18443/cert.pem", true, nil),
        ("http://127.0.0.1:18443/cert.pem", false, "must be an https URL"),
        ("http://127.0.0.2:18443/cert.pem", true, "not an Amazon SNS host"),
        ("http://127.0.0.1:18443/cert.der", true, ".pem"),
    ]

    @Test("a signing certificate URL must be https, on an SNS host, and end in .pem", arguments: certificateURLs)
    func certificateURLTrust(_ testCase: (url: String, loopback: Bool, fragment: String?)) {
        let message = SNSMessage(
            type: .notification, messageId: "i", topicArn: "t", message: "m", timestamp: "2026-01-01T00:00:00Z",
            signatureVersion: "1", signature: "s", signingCertURL: testCase.url)
        let problem = message.signingCertificateURLProblem(trust: testCase.loopback ? Self.loopback : .aws)
        if let fragment = testCase.fragment {
            #expect(problem?.field == "SigningCertURL")
            #expect(problem?.description.contains(fragment) == true, "\(String(describing: problem))")
        } else {
            #expect(problem == nil)
        }
    }

    static let subscribeURLs: [(url: String?, loopback: Bool, fragment: String?)] = [
        ("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:t&Token=abc", false, nil),
        ("http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription", false, "must be an https URL"),
        ("https://sns.us-east-1.amazonaws.com.evil.com/?Action=ConfirmSubscription", false, "not an Amazon SNS host"),
        ("https://user:secret@sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription", false, "user name"),
        ("http://127.0.0.1:18443/confirm?Token=abc", true, nil),
        (nil, false, "is required"),
    ]

    @Test("a SubscribeURL must be https on an SNS host before it is visited", arguments: subscribeURLs)
    func subscribeURLTrust(_ testCase: (url: String?, loopback: Bool, fragment: String?)) {
        let message = SNSMessage(
            type: .subscriptionConfirmation, messageId: "i", topicArn: "t", message: "m", timestamp: "2026-01-01T00:00:00Z",
            signatureVersion: "1", signature: "s", signingCertURL: "https://sns.us-east-1.amazonaws.com/c.pem",
            subscribeURL: testCase.url, token: "abc")
        let problem = message.subscribeURLProblem(trust: testCase.loopback ? Self.loopback : .aws)
        if let fragment = testCase.fragment {
            #expect(problem?.field == "SubscribeURL")
            #expect(problem?.description.contains(fragment) == true, "\(String(describing: problem))")
        } else {
            #expect(problem == nil)
        }
    }

    @Test("SNS host names", arguments: [
        ("sns.us-east-1.amazonaws.com", true), ("sns.ap-southeast-2.amazonaws.com", true),
        ("sns.us-gov-east-1.amazonaws.com", true), ("sns.cn-northwest-1.amazonaws.com.cn", true),
        ("sns.us-east-1.amazonaws.com.evil.com", false), ("evil-sns.us-east-1.amazonaws.com", false),
        ("sns.us-east-1.amazonaws.co", false), ("sns.us-east-123.amazonaws.com", false), ("sns.u-east-1.amazonaws.com", false),
        ("sns.us-east-.amazonaws.com", false), ("sns..amazonaws.com", false), ("", false), ("127.0.0.1", false),
    ])
    func awsHosts(host: String, trusted: Bool) {
        #expect(SNSMessage.Trust.isAWSSNSHost(host) == trusted)
    }

    // MARK: - Bad bodies

    /// A valid notification body with `changes` applied (`nil` removes the field).
    static func body(_ changes: [String: String?] = [:]) -> String {
        var fields: [String: String] = [
            "Type": "Notification", "MessageId": "id-1", "TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "{}",
            "Timestamp": "2026-11-27T17:20:03.477Z", "SignatureVersion": "1", "Signature": "c2ln",
            "SigningCertURL": "https://sns.us-east-1.amazonaws.com/c.pem",
        ]
        for (key, value) in changes { fields[key] = value }
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static let invalid: [(body: String, field: String, fragment: String)] = [
        ("hello", "", "not valid JSON"),
        (#"{"Type":"Notification""#, "", "not valid JSON"),
        ("[]", "", "expected an object"),
        (body(["Type": nil]), "Type", "is required"),
        (body(["Type": "Bogus"]), "Type", #"must be "Notification""#),
        (body(["Type": ""]), "Type", "must not be empty"),
        (#"{"Type":5}"#, "Type", "expected a string"),
        (body(["MessageId": nil]), "MessageId", "is required"),
        (body(["TopicArn": nil]), "TopicArn", "is required"),
        (body(["Message": nil]), "Message", "is required"),
        (body(["Timestamp": nil]), "Timestamp", "is required"),
        (body(["Timestamp": "yesterday"]), "Timestamp", "RFC 3339"),
        (body(["SignatureVersion": nil]), "SignatureVersion", "is required"),
        (body(["SignatureVersion": "3"]), "SignatureVersion", #"must be "1" or "2", got "3""#),
        (body(["Signature": nil]), "Signature", "is required"),
        (body(["Signature": ""]), "Signature", "must not be empty"),
        (body(["SigningCertURL": nil]), "SigningCertURL", "is required"),
        (body(["Type": "SubscriptionConfirmation", "Token": "t"]), "SubscribeURL", "is required"),
        (body(["Type": "SubscriptionConfirmation", "SubscribeURL": "https://sns.us-east-1.amazonaws.com/"]), "Token", "is required"),
        (body(["Type": "UnsubscribeConfirmation", "Token": "t"]), "SubscribeURL", "is required"),
        (#"{"Type":"Notification","Message":"a","Message":"b"}"#, "Message", "appears more than once"),
        (#"{"Type":"Notification","Subject":{"a":"b"}}"#, "Subject", "expected a string"),
    ]

    @Test("bad bodies name the field and the problem", arguments: invalid)
    func rejects(_ testCase: (body: String, field: String, fragment: String)) {
        let error = #expect(throws: IngestValidationError.self) {
            try SNSMessage.decode(Array(testCase.body.utf8))
        }
        #expect(error?.field == testCase.field)
        #expect(error?.description.contains(testCase.fragment) == true, "\(String(describing: error))")
    }

    @Test("unknown fields such as MessageAttributes are passed over")
    func ignoresUnknownFields() throws {
        var text = Self.body()
        text.removeLast()
        text += #","MessageAttributes":{"surname":{"Type":"String","Value":"x"}},"Extra":[1,2,null]}"#
        let message = try SNSMessage.decode(Array(text.utf8))
        #expect(message.messageId == "id-1")
    }
}
