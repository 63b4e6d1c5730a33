import Foundation
import HTTPTypes
import TocsinAPI
import TocsinCore

extension ErrorResource {
    /// The body of an error answer; `requestID` is the request's correlation id.
    init(_ error: APIError, requestID: String?) {
        self.init(
            error: ErrorDetailResource(
                status: error.status.code, code: error.code, field: error.field, message: error.message,
                requestID: requestID))
    }
}

extension ReloadResource {
    /// A reload that took effect.
    init(reloaded configuration: TocsinConfiguration) {
        self.init(status: "reloaded", policies: configuration.policies.count, routes: configuration.routes.count)
    }

    /// A reload refused (answered with 422): the running configuration stays.
    init(kept invalid: PolicyDirectory.InvalidConfiguration) {
        self.init(status: "kept running configuration", problems: invalid.problems.map(\.description))
    }
}

extension HealthResource {
    /// `GET /healthz`: the process answers.
    static let ok = HealthResource(status: "ok")
    /// `GET /readyz` with nothing wrong.
    static let ready = HealthResource(status: "ready")

    /// `GET /readyz` (answered with 503) with every problem.
    static func notReady(_ problems: [String]) -> HealthResource {
        HealthResource(status: "not ready", detail: problems.joined(separator: "; "), problems: problems)
    }
}
