extension AlertmanagerWebhook {
    /// Reads a webhook body in one pass with ``JSONReader``.
    ///
    /// A value of the wrong kind is reported with its field path (`alerts[2].labels.env: expected
    /// a string`); bytes that are not JSON with the byte offset where reading stopped. `null` reads
    /// as absent. When an object repeats a key, its first occurrence counts. Unknown fields are
    /// passed over (but must still be valid JSON).
    ///
    /// At most `keep` alerts are held while reading (``KeptAlerts``: firing and most severe
    /// first), so a payload of a million alerts costs the alerts kept, not a million alerts' worth
    /// of memory; an alert's labels are counted as they are read, and reading stops at the first
    /// one over the limit.
    static func read(_ body: UnsafeBufferPointer<UInt8>, keep: Int) throws(IngestValidationError) -> AlertmanagerWebhook {
        var reader = JSONReader(body)
        var payload = AlertmanagerWebhook()
        do {
            var seen = KeysSeen()
            guard try reader.isAtObject() else {
                // Not an object: say so if it is valid JSON, else say where it breaks.
                try reader.skipValue()
                try reader.finish()
                throw IngestValidationError(field: "", problem: "expected an object")
            }
            try reader.readObject { key, reader in
                guard seen.first(key, among: Self.payloadKeys) else { return try reader.skipValue() }
                switch key {
                case "version": payload.version = try string(key, &reader)
                case "groupKey": payload.groupKey = try string(key, &reader)
                case "truncatedAlerts": payload.truncatedAlerts = try field(key, &reader) { try $0.readInteger() }
                case "status": payload.status = try string(key, &reader)
                case "receiver": payload.receiver = try string(key, &reader)
                case "groupLabels": payload.groupLabels = try stringMap(key, &reader)
                case "commonLabels": payload.commonLabels = try stringMap(key, &reader)
                case "commonAnnotations": payload.commonAnnotations = try stringMap(key, &reader)
                case "externalURL": payload.externalURL = try string(key, &reader)
                case "alerts":
                    payload.alerts = try field(key, &reader) { reader in
                        let (kept, notRead) = try alerts(&reader, keep: keep)
                        payload.alertsNotRead = notRead
                        return kept
                    }
                default: try reader.skipValue()
                }
            }
            try reader.finish()
        } catch let error as IngestValidationError {
            throw error
        } catch let JSONReader.Failure.syntax(offset, reason) {
            throw IngestValidationError(field: "", problem: "the body is not valid JSON: \(reason) at byte \(offset)")
        } catch {
            throw IngestValidationError(field: "", problem: "the body is not valid JSON")
        }
        return payload
    }

    private static let payloadKeys: [String] = [
        "version", "groupKey", "truncatedAlerts", "status", "receiver", "groupLabels", "commonLabels",
        "commonAnnotations", "externalURL", "alerts",
    ]
    private static let alertKeys: [String] = [
        "status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint",
    ]

    private static func alerts(_ reader: inout JSONReader, keep: Int) throws -> (kept: [WireAlert], notRead: Int) {
        var kept = KeptAlerts(keep: keep)
        try reader.readArray { index, reader in
            var alert = WireAlert()
            var seen = KeysSeen()
            try field("alerts[\(index)]", &reader, expected: "an object") { reader in
                try reader.readObject { key, reader in
                    guard seen.first(key, among: Self.alertKeys) else { return try reader.skipValue() }
                    let field = { "alerts[\(index)].\(key)" }
                    switch key {
                    case "status": alert.status = try string(field(), &reader)
                    case "labels": alert.labels = try stringMap(field(), &reader, maxEntries: LabelRules.maxLabelsPerAlert)
                    case "annotations": alert.annotations = try stringMap(field(), &reader)
                    case "startsAt": alert.startsAt = try string(field(), &reader)
                    case "endsAt": alert.endsAt = try string(field(), &reader)
                    case "generatorURL": alert.generatorURL = try string(field(), &reader)
                    case "fingerprint": alert.fingerprint = try string(field(), &reader)
                    default: try reader.skipValue()
                    }
                }
            }
            kept.add(alert, index: index)
        }
        return (kept.alerts, kept.dropped)
    }

    /// Reads an optional value at `path`, naming the field when its kind is wrong.
    ///
    /// The path is built only when it is needed for an error.
    private static func field<T>(
        _ path: @autoclosure () -> String, _ reader: inout JSONReader, expected: String? = nil,
        _ read: (inout JSONReader) throws -> T
    ) throws -> T? {
        if try reader.skipNull() { return nil }
        do {
            return try read(&reader)
        } catch JSONReader.Failure.mismatch(let kind) {
            throw IngestValidationError(field: path(), problem: "expected \(expected ?? kind)")
        }
    }

    private static func string(_ path: @autoclosure () -> String, _ reader: inout JSONReader) throws -> String? {
        try field(path(), &reader) { try $0.readString() }
    }

    /// An object of string values; a repeated name keeps its first value. With `maxEntries`,
    /// reading stops at the first entry past it.
    private static func stringMap(
        _ path: @autoclosure () -> String, _ reader: inout JSONReader, maxEntries: Int? = nil
    ) throws -> [String: String]? {
        try field(path(), &reader, expected: "an object of string values") { reader in
            var map: [String: String] = [:]
            var entries = 0
            try reader.readObject { name, reader in
                entries += 1
                if let maxEntries, entries > maxEntries {
                    throw IngestValidationError(field: path(), problem: "has more than \(maxEntries) labels; at most \(maxEntries)")
                }
                guard let value = try string("\(path()).\(name)", &reader) else {
                    throw IngestValidationError(field: "\(path()).\(name)", problem: "expected a string, got null")
                }
                if map[name] == nil { map[name] = value }
            }
            return map
        }
    }

    /// Which of a small set of known keys an object has shown so far.
    private struct KeysSeen {
        private var bits: UInt32 = 0

        /// True the first time a known key is seen; false for a repeat or an unknown key.
        mutating func first(_ key: String, among known: [String]) -> Bool {
            guard let index = known.firstIndex(of: key) else { return false }
            let bit: UInt32 = 1 << UInt32(index)
            defer { bits |= bit }
            return bits & bit == 0
        }
    }
}
