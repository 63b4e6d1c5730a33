import NIOCore
import TocsinCore
import TocsinStore

/// The JSON of the first pages of incidents already answered, each kept with the store's
/// ``StoreHealth/incidentListCacheVersion`` it was read at and answered again while that
/// version holds (on SQLite; PostgreSQL's store gives none, and its pages are not kept).
/// A console or a dashboard that polls the list costs neither a query nor an encoding until an
/// incident (or its maintenance hold) changes. Pages further back (`before`) are read every time.
final class IncidentPageCache: Sendable {
    /// A first page: its filter and size.
    struct Key: Hashable, Sendable {
        let filter: IncidentFilter
        let limit: Int
    }

    private struct Page: Sendable {
        let version: UInt64
        let body: ByteBuffer
    }

    /// A few filters and sizes, of at most 500 incidents each: a few MiB at worst.
    private let pages = BoundedCache<Key, Page>(capacity: 16)

    /// The answer kept for `key`, if it was read at `version`.
    func body(for key: Key, at version: UInt64) -> ByteBuffer? {
        guard let page = pages.value(forKey: key), page.version == version else { return nil }
        return page.body
    }

    /// Keeps `body`, the answer for `key` read after the store's version was `version`.
    func keep(_ body: ByteBuffer, for key: Key, readAt version: UInt64) {
        pages.set(Page(version: version, body: body), forKey: key)
    }
}
