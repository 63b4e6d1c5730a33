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
    ///
    /// `dialect` says which extra per-alert fields are read too (Grafana's links and values, kept
    /// in ``WireAlert/extraAnnotations``); Alertmanager's own body reads none.
    static func read(
        _ body: UnsafeBufferPointer<UInt8>, keep: Int, dialect: Dialect = .alertmanager
    ) throws(IngestValidationError) -> AlertmanagerWebhook {
        var payload = AlertmanagerWebhook()
        var seen = KeysSeen()
        try JSONBody.readObject(body) { key, reader in
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
                    let (kept, notRead) = try alerts(&reader, keep: keep, dialect: dialect)
                    payload.alertsNotRead = notRead
                    return kept
                }
            default: try reader.skipValue()
            }
        }
        return payload
    }

    private static let payloadKeys: [String] = [
        "version", "groupKey", "truncatedAlerts", "status", "receiver", "groupLabels", "commonLabels",
        "commonAnnotations", "externalURL", "alerts",
    ]

    private static func alerts(
        _ reader: inout JSONReader, keep: Int, dialect: Dialect
    ) throws -> (kept: [WireAlert], notRead: Int) {
        var kept = KeptAlerts(keep: keep)
        try reader.readArray { index, reader in
            var alert = WireAlert()
            var seen = KeysSeen()
            try field("alerts[\(index)]", &reader, expected: "an object") { reader in
                try reader.readObject { key, reader in
                    guard seen.first(key, among: dialect.alertKeys) else { return try reader.skipValue() }
                    let field = { "alerts[\(index)].\(key)" }
                    switch key {
                    case "status": alert.status = try string(field(), &reader)
                    case "labels": alert.labels = try stringMap(field(), &reader, maxEntries: LabelRules.maxLabelsPerAlert)
                    case "annotations": alert.annotations = try stringMap(field(), &reader)
                    case "startsAt": alert.startsAt = try string(field(), &reader)
                    case "endsAt": alert.endsAt = try string(field(), &reader)
                    case "generatorURL": alert.generatorURL = try string(field(), &reader)
                    case "fingerprint": alert.fingerprint = try string(field(), &reader)
                    case _ where dialect.linkKeys.contains(key):
                        if let link = try string(field(), &reader), !link.isEmpty { alert.extraAnnotations[key] = link }
                    case _ where dialect.numberMapKeys.contains(key):
                        if let values = try numberMap(field(), &reader), !values.isEmpty { alert.extraAnnotations[key] = values }
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
    /// The path is built only when it is needed for an error. This and the readers below are
    /// shared by the other sources' readers (``GenericEvent``).
    static func field<T>(
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

    static func string(_ path: @autoclosure () -> String, _ reader: inout JSONReader) throws -> String? {
        try field(path(), &reader) { try $0.readString() }
    }

    /// An object of string values; a repeated name keeps its first value. With `maxEntries`,
    /// reading stops at the first entry past it.
    static func stringMap(
        _ path: @autoclosure () -> String, _ reader: inout JSONReader, maxEntries: Int? = nil
    ) throws -> [String: String]? {
        try objectMap(
            path(), &reader, of: "a string", expected: "an object of string values", maxEntries: maxEntries, counting: "labels"
        ) { try $0.readString() }
    }

    /// An object of numbers (Grafana's `values`), rendered as `B=44.2, C=1`: sorted by name, each
    /// number as written. A repeated name keeps its first value; reading stops at the first entry
    /// past ``LabelRules/maxLabelsPerAlert``.
    static func numberMap(_ path: @autoclosure () -> String, _ reader: inout JSONReader) throws -> String? {
        let numbers = try objectMap(
            path(), &reader, of: "a number", expected: "an object of numbers", maxEntries: LabelRules.maxLabelsPerAlert,
            counting: "values"
        ) { try $0.readNumberText() }
        return numbers.map { numbers in numbers.keys.sorted().map { "\($0)=\(numbers[$0] ?? "")" }.joined(separator: ", ") }
    }

    /// An object whose values are each read by `value` (of the kind `kind`, for errors); a
    /// repeated name keeps its first value. With `maxEntries`, reading stops at the first entry
    /// past it (the error counts them as `noun`).
    private static func objectMap<Value>(
        _ path: @autoclosure () -> String, _ reader: inout JSONReader, of kind: String, expected: String,
        maxEntries: Int?, counting noun: String, _ value: (inout JSONReader) throws -> Value
    ) throws -> [String: Value]? {
        try field(path(), &reader, expected: expected) { reader in
            // Room for a usual alert's labels from the start, not grown two, four, eight.
            var map = [String: Value](minimumCapacity: 8)
            var entries = 0
            try reader.readObject { name, reader in
                entries += 1
                if let maxEntries, entries > maxEntries {
                    throw IngestValidationError(field: path(), problem: "has more than \(maxEntries) \(noun); at most \(maxEntries)")
                }
                guard let read = try field("\(path()).\(name)", &reader, value) else {
                    throw IngestValidationError(field: "\(path()).\(name)", problem: "expected \(kind), got null")
                }
                // One lookup: the first value stays, a repeated name's is dropped.
                _ = { _ in }(&map[name, default: read])
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
