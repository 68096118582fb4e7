import ArgumentParser
import ProvenanceAPI
import ProvenanceClient
import ProvenanceCore

/// `provenance runs logs RUN STEP`: the output of a step's attempts.
struct RunLogs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print what a step wrote (stdout and stderr), attempt by attempt.")

    @OptionGroup var options: ClientOptions
    @Argument(help: "The run's id.") var run: Int64
    @Argument(help: "The step's name.") var step: String
    @Option(help: "Only this attempt (1 for the first).") var attempt: Int?
    @Flag(help: "Keep printing new lines until the step ends.") var follow = false

    /// Lines fetched at once.
    static let pageSize = 1000

    func run() async throws {
        try await options.withClient { client in
            var printed: [Int: Int64] = [:]
            while true {
                let found = try await client.run(RunID(run))
                guard let task = found.tasks.first(where: { $0.step == step }) else {
                    let steps = found.tasks.map(\.step).joined(separator: ", ")
                    throw CommandFailure("run \(run) has no step '\(step)' (its steps: \(steps))")
                }
                let attempts = attempt.map { [$0] } ?? task.attempts.map(\.number)
                if let attempt, !task.attempts.contains(where: { $0.number == attempt }), !follow {
                    throw CommandFailure("step \(step) of run \(run) has no attempt \(attempt) (it has \(task.attempts.count))")
                }
                for number in attempts {
                    while true {
                        let lines = try await client.logs(
                            task: task.id, attempt: number, after: printed[number] ?? 0, limit: Self.pageSize)
                        for line in lines {
                            print(attempts.count > 1 || task.attempts.count > 1 ? "[attempt \(number)] \(line.text)" : line.text)
                            printed[number] = line.sequence ?? printed[number]
                        }
                        if lines.count < Self.pageSize { break }
                    }
                }
                if !follow || task.state.isFinal { return }
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }
}
