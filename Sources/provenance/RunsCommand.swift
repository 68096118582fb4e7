import ArgumentParser
import ProvenanceAPI
import ProvenanceClient
import ProvenanceCore

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "Submit, follow and control pipeline runs.",
        subcommands: [Submit.self, Get.self, List.self, Cancel.self, Retry.self, RunLogs.self])

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a run of a pipeline.",
            discussion: """
                Parameter values are read by the type the pipeline declares (a number, true or false, JSON, or \
                text as written). With --wait the command follows the run, printing each task's changes, and exits \
                non-zero unless the run succeeds.
                """)

        @OptionGroup var options: ClientOptions
        @Argument(help: "The pipeline's name.") var pipeline: String
        @Option(help: "The version's digest (the newest by default).") var version: String?
        @Option(name: .customLong("param"), help: "A parameter value, name=value (repeatable).") var parameters: [String] = []
        @Option(name: .customLong("label"), help: "A label, key=value (repeatable).") var labels: [String] = []
        @Flag(help: "Run every step, reusing no cached outputs.") var noCache = false
        @Flag(help: "Follow the run until it ends.") var wait = false

        func run() async throws {
            let given = try KeyValueArguments.parse(parameters, option: "--param")
            let labels = try KeyValueArguments.parse(self.labels, option: "--label")
            try await options.withClient { client in
                let stored = try await client.pipelineVersion(pipeline, digest: version)
                var values: [String: JSON] = [:]
                for (name, text) in given {
                    guard let declared = stored.spec.parameters.first(where: { $0.name == name }) else {
                        let names = stored.spec.parameters.map(\.name).joined(separator: ", ")
                        throw CommandFailure(
                            "pipeline \(pipeline) has no parameter '\(name)' (its parameters: \(names.isEmpty ? "none" : names))")
                    }
                    guard let value = declared.type.value(fromText: text) else {
                        throw CommandFailure("--param \(name): expected \(declared.type.rawValue), got '\(text)'")
                    }
                    values[name] = value
                }
                let run = try await client.submitRun(
                    RunRequest(pipeline: pipeline, version: stored.digest, parameters: values, labels: labels, cache: !noCache))
                guard wait else {
                    return options.printRun(run, namespace: client.namespace, otherwise:
                        "run \(run.id.rawValue) submitted (\(run.state.name)); follow it with `provenance runs get \(run.id.rawValue)`")
                }
                print("run \(run.id.rawValue) submitted: \(run.pipeline) version \(run.version)")
                let finished = try await RunFollower(client: client).follow(run)
                options.printRun(finished, namespace: client.namespace)
                guard finished.state == .succeeded else { throw ExitCode.failure }
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a run: its state, parameters, and each task with its attempts and artifacts.")

        @OptionGroup var options: ClientOptions
        @Argument(help: "The run's id.") var run: Int64
        @Flag(help: "Follow the run until it ends.") var wait = false

        func run() async throws {
            try await options.withClient { client in
                var found = try await client.run(RunID(run))
                if wait { found = try await RunFollower(client: client).follow(found) }
                options.printRun(found, namespace: client.namespace)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List runs, newest first.")

        @OptionGroup var options: ClientOptions
        @Option(help: "Only runs of this pipeline.") var pipeline: String?
        @Option(help: "Only runs in this state (PENDING, RUNNING, SUCCEEDED, FAILED, CANCELING, CANCELED).") var state: String?
        @Option(name: .customLong("label"), help: "Only runs with this label, key=value (repeatable).") var labels: [String] = []
        @Option(help: "How many runs.") var limit = 20

        func run() async throws {
            var runState: RunState?
            if let state {
                guard let parsed = RunState(name: state) else {
                    throw ValidationError("--state: unknown run state '\(state)'; expected one of \(RunState.allCases.map(\.name).joined(separator: ", "))")
                }
                runState = parsed
            }
            let labels = try KeyValueArguments.parse(self.labels, option: "--label")
            try await options.withClient { client in
                let runs = try await client.runs(RunListQuery(pipeline: pipeline, state: runState, labels: labels, pageSize: limit)).items
                if options.json {
                    return options.printJSON(.object([(key: "runs", value: .array(runs.map { WireRun.json($0, namespace: client.namespace) }))]))
                }
                var table = TextTable(["RUN", "PIPELINE", "STATE", "CREATED", "DURATION", "LABELS"])
                for run in runs {
                    table.add([
                        "\(run.id.rawValue)", run.pipeline, run.state.name, TimeText.date(run.createTime),
                        TimeText.duration(from: run.startTime, to: run.endTime),
                        run.labels.keys.sorted().map { "\($0)=\(run.labels[$0]!)" }.joined(separator: ","),
                    ])
                }
                table.print(empty: "no runs")
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a run: queued tasks stop at once, running ones at their executor's next heartbeat.")

        @OptionGroup var options: ClientOptions
        @Argument(help: "The run's id.") var run: Int64

        func run() async throws {
            try await options.withClient { client in
                let canceled = try await client.cancelRun(RunID(run))
                options.printRun(canceled, namespace: client.namespace, otherwise: "run \(canceled.id.rawValue): \(canceled.state.name)")
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a run's failed, skipped and cancelled tasks again, reusing what succeeded.")

        @OptionGroup var options: ClientOptions
        @Argument(help: "The run's id.") var run: Int64
        @Flag(help: "Follow the run until it ends.") var wait = false

        func run() async throws {
            try await options.withClient { client in
                var retried = try await client.retryRun(RunID(run))
                if wait { retried = try await RunFollower(client: client).follow(retried) }
                options.printRun(retried, namespace: client.namespace, otherwise: wait ? nil : "run \(retried.id.rawValue): \(retried.state.name)")
                if wait, retried.state != .succeeded { throw ExitCode.failure }
            }
        }
    }
}

extension ClientOptions {
    /// Prints a run: its run-details document with `--json`; else the line `otherwise`, or without one a report of
    /// the run and its tasks.
    func printRun(_ run: Run, namespace: String, otherwise line: String? = nil) {
        if json {
            printJSON(WireRun.json(run, namespace: namespace))
        } else if let line {
            print(line)
        } else {
            RunReport(run).print()
        }
    }
}
