import ArgumentParser
import Foundation
import TocsinClient

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
    /// A call to the server that failed, with the exit code of its kind (401/403: 4, 404: 5,
    /// 409: 6, another 4xx: 7, unreachable: 3).
    init(_ failure: TocsinClient.Failure) {
        switch failure.kind {
        case .unreachable:
            self.init(failure.message, exitCode: .unreachable)
        case .refused(let status):
            let code: Code =
                switch status {
                case 401, 403: .unauthorized
                case 404: .notFound
                case 409: .conflict
                case 400..<500: .badRequest
                default: .failure
                }
            self.init((status == 401 ? "unauthorized: " : "") + failure.message, exitCode: code)
        case .unexpectedAnswer:
            self.init(failure.message)
        }
    }

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
