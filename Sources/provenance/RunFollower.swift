import ProvenanceClient
import ProvenanceCore

/// Follows a run until it ends, printing a line each time a task changes state (the line says why a task waits,
/// which attempt runs where, and how a failed attempt ended).
struct RunFollower {
    let client: ProvenanceClient

    /// How often the run is read.
    static let interval: Duration = .milliseconds(300)

    /// The run once it has ended.
    func follow(_ run: Run) async throws -> Run {
        var seen: [TaskID: String] = [:]
        var current = run
        while true {
            for task in current.tasks {
                let line = Self.describe(task)
                if seen[task.id] != line {
                    seen[task.id] = line
                    print("\(TimeText.clock())  \(task.step.padding(toLength: 14, withPad: " ", startingAt: 0)) \(line)")
                }
            }
            if current.state.isFinal {
                print("\(TimeText.clock())  run \(current.id.rawValue) \(current.state.name)")
                return current
            }
            try await Task.sleep(for: Self.interval)
            current = try await client.run(run.id)
        }
    }

    /// A task's state, with what explains it.
    static func describe(_ task: RunTask) -> String {
        let last = task.attempts.last
        switch task.state {
        case .pending, .queued:
            var line = task.state.name + (task.waitReason.map { ": \($0)" } ?? "")
            if let last, last.state != .running {
                line += " (attempt \(last.number) \(last.state.name)\(last.error.map { ": \($0)" } ?? ""))"
            }
            return line
        case .running:
            guard let last else { return task.state.name }
            return "RUNNING (attempt \(last.number) on \(last.executorName))"
        case .failed:
            if let error = task.error { return "FAILED: \(error)" }
            guard let last else { return "FAILED" }
            return "FAILED (attempt \(last.number))" + (last.error.map { ": \($0)" } ?? "")
        case .cached:
            return "CACHED" + (task.cachedFrom.map { " (outputs of task \($0.rawValue))" } ?? "")
        case .succeeded, .skipped, .canceled:
            return task.state.name
        }
    }
}
