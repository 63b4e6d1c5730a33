import ArgumentParser

/// `--config DIR`: the policy directory, spelled the same by every command that reads it
/// (`serve`, `policy check`, `policy simulate`, `drill run`).
struct PolicyDirectoryOption: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp("The policy directory: people, channels, routes, policies and schedules.", valueName: "dir"))
    var path = "escalation-policies"
}
