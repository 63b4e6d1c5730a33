import Foundation
import TocsinStore

/// A real SQLite database in a temporary directory, for one test.
public struct TestStore: Sendable {
    public let directory: TemporaryDirectory
    public let store: TocsinStore

    public init(busyTimeout: TimeInterval = 5) throws {
        directory = try TemporaryDirectory()
        store = try TocsinStore(path: directory.path("tocsin.sqlite"), configuration: .init(busyTimeout: busyTimeout))
    }

    public var path: String { store.path }

    public func remove() {
        try? store.close()
        directory.remove()
    }
}
