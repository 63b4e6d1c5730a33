import Foundation

/// Policy directories for end-to-end tests: alice, with the contacts given, paged by one policy
/// that every alert routes to.
public enum TestPolicies {
    /// The YAML: `alice` lines are her fields after `name` (e.g. `webhook: "http://…"`), `steps`
    /// the policy's steps (by default one page to alice at once).
    public static func pageAlice(_ alice: [String], steps: [String] = ["{after: 0s, notify: [person: alice]}"]) -> String {
        (["people:", "  - name: alice"] + alice.map { "    " + $0 }
            + ["routes:", "  - policy: page", "policies:", "  - name: page", "    steps:"] + steps.map { "      - " + $0 })
            .joined(separator: "\n") + "\n"
    }

    /// Writes `yaml` as `policies/all.yaml` in `directory` and returns the policy directory's path.
    @discardableResult
    public static func write(_ yaml: String, in directory: TemporaryDirectory) throws -> String {
        try FileManager.default.createDirectory(atPath: directory.path("policies"), withIntermediateDirectories: true)
        try yaml.write(toFile: directory.path("policies/all.yaml"), atomically: true, encoding: .utf8)
        return directory.path("policies")
    }
}
