extension PagerDutyEvent {
    /// An Events API v2 body as it arrives: every field optional, so that validation can name the
    /// ones missing, and the problems met while reading (a value of the wrong kind).
    struct Wire: Sendable {
        struct Payload: Sendable {
            var summary: String?
            var source: String?
            var severity: String?
            var timestamp: String?
            var component: String?
            var group: String?
            var eventClass: String?
            /// Compact JSON text.
            var customDetails: String?
        }

        struct Link: Sendable {
            var href: String?
            var text: String?
        }

        struct Image: Sendable {
            var src: String?
            var href: String?
            var alt: String?
        }

        var routingKey: String?
        var eventAction: String?
        var dedupKey: String?
        var payload: Payload?
        /// nil elements were not objects (already reported).
        var links: [Link?] = []
        var images: [Image?] = []
        var client: String?
        var clientURL: String?
        /// Values of the wrong kind, in body order; such a field reads as absent.
        var problems: [IngestValidationError] = []

        /// Reads a body in one pass with ``JSONReader``.
        ///
        /// A value of the wrong kind is recorded (`payload.summary: must be a string`) and reading
        /// goes on, so that one answer lists every problem; bytes that are not JSON stop reading
        /// with the byte offset where it broke, as the body's only problem.
        static func read(_ body: UnsafeBufferPointer<UInt8>) -> Result<Wire, Invalid> {
            var reader = JSONReader(body)
            var collector = WireReader()
            do {
                guard try reader.isAtObject() else {
                    // Not an object: say so if it is valid JSON, else say where it breaks.
                    try reader.skipValue()
                    try reader.finish()
                    let problem = IngestValidationError(field: "", problem: "the body must be a JSON object")
                    return .failure(Invalid(errors: [problem]))
                }
                var wire = try collector.event(&reader)
                try reader.finish()
                wire.problems = collector.problems
                return .success(wire)
            } catch let JSONReader.Failure.syntax(offset, reason) {
                let problem = "the body is not valid JSON: \(reason) at byte \(offset)"
                return .failure(Invalid(errors: [IngestValidationError(field: "", problem: problem)]))
            } catch {
                return .failure(Invalid(errors: [IngestValidationError(field: "", problem: "the body is not valid JSON")]))
            }
        }
    }

    /// Reads the parts of a body, recording values of the wrong kind instead of stopping at them.
    ///
    /// Every read here either consumes its value or throws a syntax error: a kind mismatch never
    /// leaves a reader, so a caller's `catch JSONReader.Failure.mismatch` can only be about the
    /// value it asked for itself.
    private struct WireReader {
        var problems: [IngestValidationError] = []

        /// The top-level object (the reader is on its `{`).
        mutating func event(_ reader: inout JSONReader) throws -> Wire {
            var wire = Wire()
            var seen: Set<String> = []
            try reader.readObject { key, reader in
                guard seen.insert(key).inserted else { return try reader.skipValue() }
                switch key {
                case "routing_key": wire.routingKey = try string(key, &reader)
                case "event_action": wire.eventAction = try string(key, &reader)
                case "dedup_key": wire.dedupKey = try string(key, &reader)
                case "payload": wire.payload = try payload(&reader)
                case "links": wire.links = try links(&reader)
                case "images": wire.images = try images(&reader)
                case "client": wire.client = try string(key, &reader)
                case "client_url": wire.clientURL = try string(key, &reader)
                default: try reader.skipValue()
                }
            }
            return wire
        }

        private mutating func payload(_ reader: inout JSONReader) throws -> Wire.Payload? {
            guard try object("payload", &reader) else { return nil }
            var payload = Wire.Payload()
            var seen: Set<String> = []
            try reader.readObject { key, reader in
                guard seen.insert(key).inserted else { return try reader.skipValue() }
                let field = "payload.\(key)"
                switch key {
                case "summary": payload.summary = try string(field, &reader)
                case "source": payload.source = try string(field, &reader)
                case "severity": payload.severity = try string(field, &reader)
                case "timestamp": payload.timestamp = try string(field, &reader)
                case "component": payload.component = try string(field, &reader)
                case "group": payload.group = try string(field, &reader)
                case "class": payload.eventClass = try string(field, &reader)
                case "custom_details":
                    if try !reader.skipNull() {
                        payload.customDetails = PagerDutyEvent.compactJSON(try reader.readRawValue())
                    }
                default: try reader.skipValue()
                }
            }
            return payload
        }

        private mutating func link(_ index: Int, _ reader: inout JSONReader) throws -> Wire.Link? {
            let path = "links[\(index)]"
            guard try object(path, &reader, nullIsAbsent: false) else { return nil }
            var link = Wire.Link()
            var seen: Set<String> = []
            try reader.readObject { key, reader in
                guard seen.insert(key).inserted else { return try reader.skipValue() }
                switch key {
                case "href": link.href = try string("\(path).href", &reader)
                case "text": link.text = try string("\(path).text", &reader)
                default: try reader.skipValue()
                }
            }
            return link
        }

        private mutating func image(_ index: Int, _ reader: inout JSONReader) throws -> Wire.Image? {
            let path = "images[\(index)]"
            guard try object(path, &reader, nullIsAbsent: false) else { return nil }
            var image = Wire.Image()
            var seen: Set<String> = []
            try reader.readObject { key, reader in
                guard seen.insert(key).inserted else { return try reader.skipValue() }
                switch key {
                case "src": image.src = try string("\(path).src", &reader)
                case "href": image.href = try string("\(path).href", &reader)
                case "alt": image.alt = try string("\(path).alt", &reader)
                default: try reader.skipValue()
                }
            }
            return image
        }

        /// A string, or nil when `null` or of another kind (recorded).
        private mutating func string(_ field: String, _ reader: inout JSONReader) throws -> String? {
            if try reader.skipNull() { return nil }
            do {
                return try reader.readString()
            } catch JSONReader.Failure.mismatch {
                // Nothing was consumed: pass the value over.
                problems.append(IngestValidationError(field: field, problem: "must be a string"))
                try reader.skipValue()
                return nil
            }
        }

        /// Whether an object follows (the reader is then on its `{`). `null` is absent (or, unless
        /// `nullIsAbsent`, of the wrong kind); a value of another kind is recorded and passed over.
        private mutating func object(
            _ field: String, _ reader: inout JSONReader, nullIsAbsent: Bool = true
        ) throws -> Bool {
            if try reader.skipNull() {
                if !nullIsAbsent { problems.append(IngestValidationError(field: field, problem: "must be an object")) }
                return false
            }
            guard try reader.isAtObject() else {
                problems.append(IngestValidationError(field: field, problem: "must be an object"))
                try reader.skipValue()
                return false
            }
            return true
        }

        private mutating func links(_ reader: inout JSONReader) throws -> [Wire.Link?] {
            if try reader.skipNull() { return [] }
            guard let links = try Self.elements(&reader, { index, reader in try link(index, &reader) }) else {
                problems.append(IngestValidationError(field: "links", problem: "must be an array"))
                return []
            }
            return links
        }

        private mutating func images(_ reader: inout JSONReader) throws -> [Wire.Image?] {
            if try reader.skipNull() { return [] }
            guard let images = try Self.elements(&reader, { index, reader in try image(index, &reader) }) else {
                problems.append(IngestValidationError(field: "images", problem: "must be an array"))
                return []
            }
            return images
        }

        /// An array read element by element, or nil (the value passed over) when it is not an array.
        private static func elements<Element>(
            _ reader: inout JSONReader, _ element: (Int, inout JSONReader) throws -> Element
        ) throws -> [Element]? {
            var elements: [Element] = []
            do {
                try reader.readArray { index, reader in elements.append(try element(index, &reader)) }
            } catch JSONReader.Failure.mismatch {
                // Only the array itself can mismatch (elements record their own): nothing was consumed.
                try reader.skipValue()
                return nil
            }
            return elements
        }
    }

    /// `json` (valid JSON text) without whitespace outside its strings.
    static func compactJSON(_ json: String) -> String {
        var compact: [UInt8] = []
        compact.reserveCapacity(json.utf8.count)
        var inString = false
        var escaped = false
        for byte in json.utf8 {
            if inString {
                compact.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case 0x20, 0x0A, 0x0D, 0x09: continue
            case UInt8(ascii: "\""):
                inString = true
                compact.append(byte)
            default:
                compact.append(byte)
            }
        }
        return String(decoding: compact, as: UTF8.self)
    }
}
