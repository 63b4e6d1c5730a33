extension Fingerprint {
    /// The identity of an alert from a source that names its alerts by a key of its own (a
    /// PagerDuty `dedup_key`, a generic event's `key`, a heartbeat's name) rather than by labels.
    ///
    /// The same source and key always give the same fingerprint, whatever labels come with the
    /// alert, so a later `resolve` finds the alert its `trigger` opened even when the labels differ.
    public init(source: String, key: String) {
        self.init(labels: ["__source__": source, "__key__": key])
    }
}
