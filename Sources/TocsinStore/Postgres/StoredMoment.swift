import Foundation
import NIOCore
import PostgresNIO

/// A moment as both stores keep it, to the millisecond, bound to PostgreSQL as an exact
/// `timestamptz`. (Foundation's `Date` is bound by truncating to the microsecond, so a time
/// written as `…00.123` could be stored as `…00.122999` and miss a comparison by a microsecond.)
struct StoredMoment: PostgresNonThrowingEncodable, Sendable {
    /// Milliseconds since 1970-01-01 UTC.
    let milliseconds: Int64

    init(_ date: Date) {
        milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }

    /// PostgreSQL's epoch, 2000-01-01 UTC, in milliseconds since 1970.
    private static let postgresEpoch: Int64 = 946_684_800_000

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeInteger((milliseconds - Self.postgresEpoch) * 1000)
    }
}

extension Date {
    /// The date as the stores keep it: to the millisecond, as SQLite's text does, so that a value
    /// read back from either store equals the one written.
    var storedPrecision: Date {
        Date(timeIntervalSince1970: (timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    /// The date bound to PostgreSQL to the millisecond (``StoredMoment``).
    var moment: StoredMoment { StoredMoment(self) }
}
