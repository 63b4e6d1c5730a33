/// Where something was written in a configuration file, for error messages people can act on.
public struct SourceLocation: Sendable, Equatable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `routes.yaml:3:5`
    public var description: String { "\(file):\(line):\(column)" }
}
