import Crypto
import Foundation
import GRDB
import Logging
import PostgresNIO
import TocsinCore

/// What `tocsin migrate` copied from a SQLite file into PostgreSQL, table by table, and whether the
/// two now hold the same rows (by count and by checksum).
public struct StoreCopyReport: Sendable, Codable, Equatable {
    /// One table's rows on each side.
    public struct Table: Sendable, Codable, Equatable {
        public var name: String
        public var sourceRows: Int
        public var targetRows: Int
        /// SHA-256 over the table's rows, each rendered the same way from either store (times to
        /// the millisecond in UTC, flags as 0 or 1), independent of row order.
        public var sourceChecksum: String
        public var targetChecksum: String
        public var matches: Bool { sourceRows == targetRows && sourceChecksum == targetChecksum }

        enum CodingKeys: String, CodingKey {
            case name, matches
            case sourceRows = "source_rows"
            case targetRows = "target_rows"
            case sourceChecksum = "source_checksum"
            case targetChecksum = "target_checksum"
        }

        public init(name: String, sourceRows: Int, targetRows: Int, sourceChecksum: String, targetChecksum: String) {
            self.name = name
            self.sourceRows = sourceRows
            self.targetRows = targetRows
            self.sourceChecksum = sourceChecksum
            self.targetChecksum = targetChecksum
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                name: try container.decode(String.self, forKey: .name), sourceRows: try container.decode(Int.self, forKey: .sourceRows),
                targetRows: try container.decode(Int.self, forKey: .targetRows),
                sourceChecksum: try container.decode(String.self, forKey: .sourceChecksum),
                targetChecksum: try container.decode(String.self, forKey: .targetChecksum))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(sourceRows, forKey: .sourceRows)
            try container.encode(targetRows, forKey: .targetRows)
            try container.encode(sourceChecksum, forKey: .sourceChecksum)
            try container.encode(targetChecksum, forKey: .targetChecksum)
            try container.encode(matches, forKey: .matches)
        }
    }

    public var tables: [Table]
    /// Whether every table matches.
    public var matches: Bool { tables.allSatisfy(\.matches) }
}

/// The tables a copy's target holds, by name: each one's row count and checksum.
typealias TableSums = [String: (rows: Int, checksum: String)]

/// Copies every table of a SQLite store into a PostgreSQL store, in one PostgreSQL transaction,
/// from one consistent snapshot of the file (a server may keep running on it meanwhile).
///
/// The target must be empty, or hold exactly what the previous copy left (`tocsin_copies` keeps
/// each copy's checksums): a copy replaces a mirror, never rows instances have written. It can
/// therefore be run again, to bring the changes since, until the instances start on PostgreSQL.
/// The copy is checked table by table before it commits; one that does not match rolls back.
/// Identity sequences are moved past the copied ids, so new rows do not collide with them.
enum StoreCopy {
    /// Every table, parents before the tables that refer to them.
    static let tables = [
        "users", "api_tokens", "console_sessions", "drill_runs", "incidents", "incident_alerts", "timeline_events", "escalations",
        "outbox", "delivery_attempts", "maintenance_windows", "maintenance_holds", "schedule_overrides", "integrations",
        "heartbeats", "settings", "audit_events",
    ]
    /// Rows per INSERT (each row binds one parameter per column; PostgreSQL takes 65,535).
    static let pageSize = 500
    /// A copy whose tables do not match: thrown to roll it back, and answered with its report.
    struct Mismatch: Error {
        var report: StoreCopyReport
    }

    /// The advisory lock two copies into one database take in turn (`migrate` in ASCII).
    static let lockKey: Int64 = 0x6D69_6772_6174_65
}

extension PostgresStore {
    /// Copies `source` into this database and verifies the copy (``StoreCopy``).
    ///
    /// - Throws: ``StoreError/conflict(_:)`` when the target holds rows no copy put there, or rows
    ///   changed since the last copy; nothing is changed then.
    /// - Returns: the tables' counts and checksums on both sides; when they do not all match,
    ///   nothing was committed.
    public func copy(from source: TocsinStore) async throws(StoreError) -> StoreCopyReport {
        let snapshot = try StoreError.mapping { try source.writer.makeSnapshot() }
        let sourceName = source.path
        let logger = logger
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(StoreCopy.lockKey))", logger: logger)
                var layouts: [TableLayout] = []
                for table in StoreCopy.tables {
                    layouts.append(try await TableLayout.read(table, on: connection, logger: logger))
                }
                try await StoreCopy.requireMirror(layouts, on: connection, logger: logger)
                let truncate = StoreCopy.tables.map(TableLayout.quoted).joined(separator: ", ")
                try await connection.query(PostgresQuery(unsafeSQL: "TRUNCATE \(truncate) RESTART IDENTITY"), logger: logger)
                var report = StoreCopyReport(tables: [])
                for layout in layouts {
                    let copied = try await StoreCopy.copy(layout, from: snapshot, to: connection, logger: logger)
                    let target = try await StoreCopy.checksum(of: layout, on: connection, logger: logger)
                    report.tables.append(
                        .init(name: layout.table, sourceRows: copied.rows, targetRows: target.rows, sourceChecksum: copied.checksum,
                              targetChecksum: target.checksum))
                }
                guard report.matches else { throw StoreCopy.Mismatch(report: report) }
                let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
                try await connection.query("INSERT INTO tocsin_copies (source, report) VALUES (\(sourceName), \(json))", logger: logger)
                return report
            }
        } catch let error as PostgresTransactionError {
            // A copy that does not match rolled back; its report says where.
            if let mismatch = error.closureError as? StoreCopy.Mismatch { return mismatch.report }
            throw StoreError(postgres: error)
        } catch {
            throw StoreError(postgres: error)
        }
    }
}

extension StoreCopy {
    /// Refuses a target that is neither empty nor exactly what the last copy left.
    static func requireMirror(_ layouts: [TableLayout], on connection: PostgresConnection, logger: Logger) async throws {
        var current: TableSums = [:]
        for layout in layouts {
            current[layout.table] = try await checksum(of: layout, on: connection, logger: logger)
        }
        let rows = try await connection.query(
            "SELECT report, to_char(copied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM tocsin_copies ORDER BY id DESC LIMIT 1",
            logger: logger)
        var last: (report: StoreCopyReport, at: String)?
        for try await (json, at) in rows.decode((String, String).self) {
            last = (try JSONDecoder().decode(StoreCopyReport.self, from: Data(json.utf8)), at)
        }
        guard let last else {
            let holding = tables.filter { (current[$0]?.rows ?? 0) > 0 }
            guard holding.isEmpty else {
                throw StoreError.conflict(
                    "the PostgreSQL database already holds Tocsin data that no copy put there (in \(holding.joined(separator: ", "))); "
                        + "copy into an empty database")
            }
            return
        }
        let changed = last.report.tables.filter { table in
            current[table.name].map { $0.rows != table.targetRows || $0.checksum != table.targetChecksum } ?? true
        }.map(\.name)
        guard changed.isEmpty else {
            throw StoreError.conflict(
                "the PostgreSQL database changed since the copy of \(last.at) UTC (in \(changed.joined(separator: ", "))): "
                    + "instances have written to it, and a copy would overwrite their rows")
        }
    }

    /// Copies one table, a page at a time, and returns the source's row count and checksum.
    static func copy(
        _ layout: TableLayout, from snapshot: DatabaseSnapshot, to connection: PostgresConnection, logger: Logger
    ) async throws -> (rows: Int, checksum: String) {
        let names = layout.columns.map(\.name)
        let select = "SELECT rowid, \(names.map(TableLayout.quoted).joined(separator: ", ")) FROM \(TableLayout.quoted(layout.table)) WHERE rowid > ? ORDER BY rowid LIMIT \(pageSize)"
        var digests: [SHA256.Digest] = []
        var lastRowID: Int64 = 0
        while true {
            let page = try snapshot.read { db in try Row.fetchAll(db, sql: select, arguments: [lastRowID]) }
            guard let last = page.last else { break }
            lastRowID = last[0]
            var bindings = PostgresBindings(capacity: page.count * names.count)
            var tuples: [String] = []
            for row in page {
                var placeholders: [String] = []
                var canonical: [String] = []
                for (index, column) in layout.columns.enumerated() {
                    let value: DatabaseValue = row[index + 1]
                    canonical.append(try append(value, of: column, table: layout.table, rowID: row[0], to: &bindings))
                    placeholders.append("$\(bindings.count)")
                }
                tuples.append("(\(placeholders.joined(separator: ", ")))")
                digests.append(SHA256.hash(data: Data(canonical.joined(separator: "\u{1F}").utf8)))
            }
            let sql = "INSERT INTO \(TableLayout.quoted(layout.table)) (\(names.map(TableLayout.quoted).joined(separator: ", "))) VALUES \(tuples.joined(separator: ", "))"
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        }
        if layout.hasIdentity {
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT setval(pg_get_serial_sequence('\(layout.table)', 'id'), COALESCE((SELECT max(id) FROM \(TableLayout.quoted(layout.table))), 0) + 1, false)
                        """), logger: logger)
        }
        return (digests.count, combined(digests))
    }

    /// Binds one SQLite value as its PostgreSQL column takes it, and returns the value's canonical text.
    static func append(_ value: DatabaseValue, of column: TableLayout.Column, table: String, rowID: Int64, to bindings: inout PostgresBindings) throws
        -> String
    {
        func malformed() -> StoreError {
            .malformed(column.name, of: "\(table) row", id: rowID, holding: "\(value)")
        }
        if value.isNull {
            bindings.appendNull()
            return "\u{0}"
        }
        switch column.kind {
        case .integer:
            guard let integer = Int64.fromDatabaseValue(value) else { throw malformed() }
            bindings.append(integer)
            return String(integer)
        case .boolean:
            guard let integer = Int64.fromDatabaseValue(value) else { throw malformed() }
            bindings.append(integer != 0)
            return integer != 0 ? "1" : "0"
        case .moment:
            guard let date = StoredDate.parse(value) else { throw malformed() }
            bindings.append(date.moment)
            return RFC3339.format(date, separator: " ", suffix: "")
        case .text:
            guard let text = String.fromDatabaseValue(value) ?? Int64.fromDatabaseValue(value).map(String.init) else { throw malformed() }
            bindings.append(text)
            return text
        }
    }

    /// The target's row count and checksum, each row rendered as ``append(_:of:table:rowID:to:)`` renders the source's.
    static func checksum(of layout: TableLayout, on connection: PostgresConnection, logger: Logger) async throws -> (rows: Int, checksum: String) {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT \(layout.storedSelection) FROM \(TableLayout.quoted(layout.table))"), logger: logger)
        var digests: [SHA256.Digest] = []
        for try await row in rows {
            var canonical: [String] = []
            for cell in row {
                canonical.append(try cell.decode(String?.self) ?? "\u{0}")
            }
            digests.append(SHA256.hash(data: Data(canonical.joined(separator: "\u{1F}").utf8)))
        }
        return (digests.count, combined(digests))
    }

    /// One checksum for a table: SHA-256 over its rows' digests in sorted order, so that the
    /// stores' different row orders give the same sum.
    static func combined(_ digests: [SHA256.Digest]) -> String {
        var hasher = SHA256()
        for digest in digests.map({ Data($0) }).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            hasher.update(data: digest)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
