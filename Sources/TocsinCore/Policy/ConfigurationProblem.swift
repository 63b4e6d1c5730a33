/// One thing wrong with the policy files, with where it was written.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation?
    public var message: String

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }

    /// `policies.yaml:12:9: step 2 of "critical-immediate" notifies nobody reachable`
    public var description: String {
        location.map { "\($0): \(message)" } ?? message
    }
}
