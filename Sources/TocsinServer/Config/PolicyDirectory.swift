import Foundation
import TocsinCore
import Yams

/// Reads the policy directory (`--config`, default `escalation-policies/`): every `*.yaml` and
/// `*.yml` file in it, each holding any of the top-level keys `people`, `channels`, `routes`,
/// `policies`, `schedules` and `heartbeats`.
///
/// Every problem is reported with its file, line and column, all at once, so a reviewer sees
/// the whole list; ``TocsinConfiguration/problems()`` adds the checks across files.
public enum PolicyDirectory {
    /// The outcome of reading a directory.
    public struct Loaded: Sendable {
        public var configuration: TocsinConfiguration
        /// Syntax and shape problems found while reading, then the cross-file checks.
        public var problems: [ConfigurationProblem]
        public var files: [String]
    }

    /// Why a configuration could not be used.
    public struct InvalidConfiguration: Error, CustomStringConvertible, Sendable {
        public var directory: String
        public var problems: [ConfigurationProblem]

        public var description: String {
            "\(directory): \(problems.count) problem\(problems.count == 1 ? "" : "s"):\n"
                + problems.map { "  \($0)" }.joined(separator: "\n")
        }
    }

    /// Reads and checks `directory`.
    public static func read(_ directory: String) -> Loaded {
        var reader = Reader()
        var files: [String] = []
        let url = URL(fileURLWithPath: directory)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            return Loaded(
                configuration: TocsinConfiguration(),
                problems: [ConfigurationProblem("cannot read the policy directory \(directory): \(error.localizedDescription)")],
                files: [])
        }
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            files.append(name)
            let path = url.appendingPathComponent(name).path
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                reader.problems.append(ConfigurationProblem("cannot read the file", at: SourceLocation(file: name, line: 1, column: 1)))
                continue
            }
            reader.read(text, file: name)
        }
        if files.isEmpty {
            reader.problems.append(ConfigurationProblem("no .yaml files in \(directory)"))
        }
        let configuration = reader.configuration
        return Loaded(configuration: configuration, problems: reader.problems + configuration.problems(), files: files)
    }

    /// Reads `directory` and returns its configuration, or throws every problem found.
    public static func load(_ directory: String) throws(InvalidConfiguration) -> TocsinConfiguration {
        let loaded = read(directory)
        guard loaded.problems.isEmpty else {
            throw InvalidConfiguration(directory: directory, problems: loaded.problems)
        }
        return loaded.configuration
    }
}
