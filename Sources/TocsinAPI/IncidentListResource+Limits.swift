extension IncidentListResource {
    /// The most incidents one page holds (`limit` above it is refused).
    public static let maxPageSize = 500
}
