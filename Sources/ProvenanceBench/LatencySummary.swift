/// Latencies of a timed phase and the throughput they add up to.
struct LatencySummary {
    /// Per-operation latencies in seconds, sorted.
    let latencies: [Double]
    /// Wall-clock time of the whole phase in seconds.
    let elapsed: Double
    /// Records written per operation (1, or the batch size).
    let recordsPerOperation: Int
    /// CPU time the phase cost the server, the database and the benchmark client, when measured.
    var cpu: PhaseCPU?
    /// What one counted item is ("record", "request"), for the report line.
    var unit = "record"

    init(latencies: [Double], elapsed: Double, recordsPerOperation: Int = 1) {
        self.latencies = latencies.sorted()
        self.elapsed = elapsed
        self.recordsPerOperation = recordsPerOperation
    }

    /// The latency at quantile `q` (0...1), nearest-rank.
    func percentile(_ q: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let rank = Int((q * Double(latencies.count)).rounded(.up)) - 1
        return latencies[min(max(rank, 0), latencies.count - 1)]
    }

    var recordsPerSecond: Double {
        elapsed > 0 ? Double(latencies.count * recordsPerOperation) / elapsed : 0
    }

    /// One report line: percentiles in milliseconds and the throughput.
    func line(_ label: String) -> String {
        let figures = [0.5, 0.9, 0.99].map { "p\(Int($0 * 100)) \(milliseconds(percentile($0)))" }
        var line = "\(label.padding(toLength: 52, withPad: " ", startingAt: 0)) \(figures.joined(separator: "  "))  "
            + "max \(milliseconds(latencies.last ?? 0))  \(Int(recordsPerSecond.rounded())) \(unit)s/s"
        if let cpu, !latencies.isEmpty {
            line += "\n    " + cpu.line(per: Double(latencies.count * recordsPerOperation), unit: unit)
        }
        return line
    }
}

/// Seconds as milliseconds with two decimals ("1.23 ms").
/// A report's line on one target: `  [met] label` or `  [MISSED] label`.
func targetLine(_ label: String, _ met: Bool) -> String {
    "  [\(met ? "met" : "MISSED")] \(label)"
}

func milliseconds(_ seconds: Double) -> String {
    twoDecimals(seconds * 1000) + " ms"
}

/// A ratio with two decimals ("3.41x").
func ratio(_ value: Double) -> String {
    twoDecimals(value) + "x"
}

func twoDecimals(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

/// How long `body` takes, in seconds.
func measure(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    return (ContinuousClock.now - start).seconds
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
