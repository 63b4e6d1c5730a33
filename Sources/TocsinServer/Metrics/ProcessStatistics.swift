import Foundation

/// The standard `process_*` metrics, read from Linux's /proc for this process.
///
/// Written by hand: swift-metrics 2.13 ships no system metrics (its former `SystemMetrics` lives in
/// swift-metrics-extras, which is not among the pinned packages), and swift-prometheus 2.4.1
/// exports only what is recorded through it.
struct ProcessStatistics {
    var cpuSeconds: Double
    var residentBytes: Double
    var virtualBytes: Double
    var startTime: Double
    var openFileDescriptors: Double
    var maxFileDescriptors: Double

    /// Reads /proc/self; nil where /proc is not available.
    static func read() -> ProcessStatistics? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let afterName = stat.range(of: ") ")
        else { return nil }
        // Fields after "pid (comm) ", numbered from 3 (state) as in proc(5).
        let fields = stat[afterName.upperBound...].split(separator: " ").map(String.init)
        func field(_ number: Int) -> Double { Double(fields[safe: number - 3] ?? "") ?? 0 }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        let bootTime = (try? String(contentsOfFile: "/proc/stat", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("btime ") }
            .flatMap { Double($0.dropFirst(6).trimmingCharacters(in: .whitespaces)) } ?? 0
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        return ProcessStatistics(
            cpuSeconds: (field(14) + field(15)) / ticks, residentBytes: field(24) * pageSize, virtualBytes: field(23),
            startTime: bootTime + field(22) / ticks, openFileDescriptors: Double(open), maxFileDescriptors: Double(limit.rlim_cur))
    }

    func write(into text: inout PrometheusText) {
        let metrics: [(String, String, String, Double)] = [
            ("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.", cpuSeconds),
            ("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", residentBytes),
            ("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", virtualBytes),
            ("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.", startTime),
            ("process_open_fds", "gauge", "Open file descriptors.", openFileDescriptors),
            ("process_max_fds", "gauge", "The limit on open file descriptors.", maxFileDescriptors),
        ]
        for (name, type, help, value) in metrics {
            text.family(name, type: type, help: help)
            text.sample(name, [:], value)
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
