import ArgumentParser
import Foundation
import TocsinAPI
import TocsinClient
import TocsinCore
import TocsinServer

/// `tocsin oncall`: who is on call now, at a time, or over the next days.
struct OnCall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oncall",
        abstract: "Show who is on call now or at a time, or list the shifts ahead.",
        discussion: """
            Schedules come from the policy directory, overrides from `tocsin override`. Times are shown in UTC \
            and in the schedule's time zone. TIME is now, an offset (+8h, -1d) or an RFC 3339 time.
            """)

    @Option(help: "Only this schedule.")
    var schedule: String?

    @Option(help: ArgumentHelp("Who is on call at this time instead of now.", valueName: "time"))
    var at: TimeArgument?

    @Option(help: ArgumentHelp("List the shifts over this period from --at (e.g. 14d).", valueName: "duration"))
    var next: String?

    @OptionGroup var client: ClientOptions

    func validate() throws {
        if let next {
            guard let seconds = PolicyDuration.parse(next), seconds > 0, seconds <= 366 * 86_400 else {
                throw ValidationError("--next must be a duration up to 366d, such as 14d or 12h, got \"\(next)\"")
            }
        }
    }

    func run() async throws {
        let api = try client.client()
        var query = schedule.map { "schedule=\(Self.escape($0))" }.map { [$0] } ?? []
        let from = at ?? TimeArgument(date: Date())
        if let next, let seconds = PolicyDuration.parse(next) {
            query += ["from=\(Self.escape(from.rfc3339))", "until=\(Self.escape(RFC3339.format(from.date.addingTimeInterval(seconds))))"]
            let timelines = try await api.get("/api/v1/oncall/shifts?" + query.joined(separator: "&"), as: [OnCallTimelineResource].self)
            if client.json { return try Formatting.printJSON(timelines) }
            for timeline in timelines {
                print("\(timeline.schedule) (\(timeline.timezone))")
                var table = TextTable(header: ["FROM", "UNTIL", "LOCAL", "ON CALL", "SOURCE"])
                for shift in timeline.shifts {
                    table.rows.append([
                        Formatting.time(shift.start), Formatting.time(shift.end),
                        Self.local(shift.start, timeline.timezone) + " → " + Self.local(shift.end, timeline.timezone),
                        shift.person ?? "NOBODY", shift.source,
                    ])
                }
                print(table.render())
            }
            return
        }
        query.append("at=\(Self.escape(from.rfc3339))")
        let current = try await api.get("/api/v1/oncall?" + query.joined(separator: "&"), as: [OnCallResource].self)
        if client.json { return try Formatting.printJSON(current) }
        guard !current.isEmpty else {
            print("No schedules in the policy directory.")
            return
        }
        var table = TextTable(header: ["SCHEDULE", "ON CALL", "UNTIL", "SOURCE", "NEXT"])
        for entry in current {
            table.rows.append([
                entry.schedule, entry.oncall?.person ?? "NOBODY",
                entry.oncall.map { "\(Formatting.time($0.end)) (\(Self.local($0.end, entry.timezone)))" } ?? "-",
                entry.oncall?.source ?? "-", entry.next?.person ?? "-",
            ])
        }
        print(table.render())
    }

    static func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? value
    }

    /// `Mon 09:00` in the schedule's time zone.
    static func local(_ date: Date, _ zone: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone)
        formatter.dateFormat = "EEE dd MMM HH:mm zzz"
        return formatter.string(from: date)
    }
}
