/// Where an on-call assignment comes from: a layer's rotation or an override.
public enum OnCallSource: Sendable, Hashable, CustomStringConvertible {
    /// The rotation of the layer with this name.
    case layer(String)
    /// The override with this database id (nil when the override was not stored yet).
    case override(id: Int64?)

    /// `layer "primary"` or `override 42`.
    public var description: String {
        switch self {
        case .layer(let name): "layer \"\(name)\""
        case .override(let id): id.map { "override \($0)" } ?? "override"
        }
    }
}
