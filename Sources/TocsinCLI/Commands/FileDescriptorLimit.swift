#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open files, which bounds how many connections `serve` can hold.
enum FileDescriptorLimit {
    /// Descriptors kept free of connections: the database and its WAL, delivery transfers (one
    /// per worker, webhooks and SMTP), logs and the listening socket, with room to spare.
    static let headroom = 256

    /// Raises the soft limit to the hard limit, as far as the system allows, and returns the soft
    /// limit now in force.
    static func raiseToHardLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(resourceNumber, &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resourceNumber, &raised) == 0 { limit = raised }
        }
        // RLIM_INFINITY is the largest value, so clamping reads it as "very many".
        return Int(clamping: limit.rlim_cur)
    }

    /// The connection cap that leaves ``headroom`` descriptors for everything else.
    static func connectionCap(forLimit limit: Int) -> Int {
        max(16, limit - headroom)
    }

    #if canImport(Glibc)
    private static let resourceNumber = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resourceNumber = RLIMIT_NOFILE
    #endif
}
