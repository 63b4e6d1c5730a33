/// Left-aligned columns for terminal output; the last column is not padded. Cells are made
/// terminal-safe (``Formatting/terminalSafe(_:)``): alert text cannot hide rows or send escapes.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    func render() -> String {
        let all = ([header] + rows).map { $0.map(Formatting.terminalSafe) }
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column in
                column == row.count - 1 ? row[column] : row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
