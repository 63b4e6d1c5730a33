import TocsinStore

extension ServerSettings {
    /// The signer for one-click links: under `fixedKey` when given (tests, drills), else under the
    /// database's current key, read at each use so a rotation (`tocsin links rotate-key`) takes
    /// effect at once for pages being rendered and links being checked.
    public func linkSigner(fixedKey: [UInt8]?) async throws(StoreError) -> LinkSigner {
        if let fixedKey { return LinkSigner(key: fixedKey) }
        return LinkSigner(key: try await linkSigningKey())
    }
}
