/// Rows of text printed in aligned columns, for the client commands' summaries.
struct TextTable {
    private let header: [String]
    private var rows: [[String]] = []

    init(_ header: [String]) {
        self.header = header
    }

    /// Adds a row (one cell per column).
    mutating func add(_ row: [String]) {
        rows.append(row)
    }

    /// Prints the table, or `empty` when it has no rows.
    func print(empty: String) {
        guard !rows.isEmpty else {
            if !empty.isEmpty { Swift.print(empty) }
            return
        }
        var widths = header.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count { widths[column] = max(widths[column], cell.count) }
        }
        for row in [header] + rows {
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }
            Swift.print(cells.joined(separator: "  "))
        }
    }
}
