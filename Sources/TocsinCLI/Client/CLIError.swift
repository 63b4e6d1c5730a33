import ArgumentParser
import Foundation

/// A failure reported to the user as one line on stderr, with an exit code that scripts can test.
struct CLIError: Error, CustomStringConvertible {
    /// Exit codes, documented in the README.
    enum Code: Int32 {
        case failure = 1
        case unreachable = 3
        case unauthorized = 4
        case notFound = 5
        case conflict = 6
        case badRequest = 7
    }

    let message: String
    let exitCode: Code

    init(_ message: String, exitCode: Code = .failure) {
        self.message = message
        self.exitCode = exitCode
    }

    var description: String { message }
}

extension CLIError {
    /// Prints the message and exits with the code.
    func exit() -> Never {
        var standardError = StandardError()
        print("tocsin: \(message)", to: &standardError)
        Tocsin.exit(withError: ExitCode(exitCode.rawValue))
    }
}

/// Standard error as a `TextOutputStream`.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
