/// Why an on-call schedule, or one of its parts, was rejected.
///
/// Every case names the value at fault so the configuration reader can turn it into a
/// ``ConfigurationProblem`` a person can act on.
public enum ScheduleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The schedule's name is empty.
    case emptyScheduleName
    /// The time zone is not an IANA identifier Foundation knows, e.g. `Europe/Lndon`.
    case unknownTimeZone(String)
    /// A layer's name is empty.
    case emptyLayerName
    /// Two layers of one schedule share a name (layer names identify where an assignment came from).
    case duplicateLayerName(String)
    /// A layer's rotation has nobody in it.
    case noPeople(layer: String)
    /// A person in a layer's rotation has an empty name.
    case emptyPersonName(layer: String)
    /// A `.duration` shift is not a finite number of seconds of at least ``ShiftLength/minimumDuration``.
    case invalidShiftDuration(Double)
    /// A time of day outside 00:00 to 23:59.
    case invalidTime(hour: Int, minute: Int)
    /// A calendar date that does not exist, or a year outside 1 to 9999.
    case invalidDate(year: Int, month: Int, day: Int)
    /// A restriction that applies on no day of the week.
    case noRestrictionDays

    public var description: String {
        switch self {
        case .emptyScheduleName: "a schedule needs a name"
        case .unknownTimeZone(let zone): "unknown time zone \"\(zone)\" (expected an IANA name such as Europe/London)"
        case .emptyLayerName: "a schedule layer needs a name"
        case .duplicateLayerName(let name): "two layers are named \"\(name)\""
        case .noPeople(let layer): "layer \"\(layer)\" has nobody in its rotation"
        case .emptyPersonName(let layer): "layer \"\(layer)\" names a person with an empty name"
        case .invalidShiftDuration(let seconds):
            "a shift must last at least \(Int(ShiftLength.minimumDuration)) seconds, not \(seconds)"
        case .invalidTime(let hour, let minute): "\(hour):\(minute) is not a time of day between 00:00 and 23:59"
        case .invalidDate(let year, let month, let day): "\(year)-\(month)-\(day) is not a calendar date"
        case .noRestrictionDays: "a restriction must apply on at least one day of the week"
        }
    }
}
