import Foundation
import Logging
import ProvenanceClient
import ProvenanceCore
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs one leased step as a process and reports how it ended: prepares its attempt directory and output
/// locations, runs the command (in a process group of its own) with its time limit, streams its output to the
/// server, stops it when asked (timeout, cancel, lost lease, shutdown: SIGTERM, then SIGKILL after
/// `killGrace`), and completes or fails the attempt.
struct StepRun {
    /// The file in the attempt's directory that tells the step about itself (`Lease.stepContext`).
    static let stepFileName = "step.json"

    let lease: Lease
    let control: StepControl
    let client: ProvenanceClient
    let configuration: ExecutorConfiguration
    let logger: Logger

    /// How long a stopped step has between SIGTERM and SIGKILL.
    static let killGrace: Duration = .seconds(5)
    /// How long reporting an outcome keeps trying while the server cannot be reached.
    static let reportPatience: Duration = .seconds(120)

    /// How the process ended.
    private enum Ending {
        case exited(Int32)
        case signaled(Int32)
        case couldNotStart(String)
    }

    func run() async {
        let fileManager = FileManager.default
        let artifactRoot = Self.absolute(configuration.artifactRoot)
        let attemptDirectory = Self.absolute(configuration.workDirectory)
            + "/\(lease.namespace)/runs/\(lease.runID.rawValue)/\(lease.step)/attempt-\(lease.token.attempt)"
        let outputsFile = attemptDirectory + "/outputs.json"
        let stepFile = attemptDirectory + "/" + Self.stepFileName
        let shipper = LogShipper(client: client, token: lease.token, logger: logger)
        let metrics = MetricsFileShipper(
            path: attemptDirectory + "/metrics.jsonl", client: client, token: lease.token, log: shipper, logger: logger)
        var ending: Ending
        do {
            // Every path the lease names must stay inside the executor's roots (a name the server let through
            // must never reach a directory outside them).
            if let escape = Self.escape(attemptDirectory, from: Self.absolute(configuration.workDirectory), what: "attempt directory")
                ?? lease.outputs.lazy.compactMap({ output in
                    Self.escape(lease.outputURI(output, artifactRoot: artifactRoot), from: artifactRoot, what: "output '\(output.name)'")
                }).first
            {
                throw StepRefusal(reason: escape)
            }
            try fileManager.createDirectory(atPath: attemptDirectory, withIntermediateDirectories: true)
            try? fileManager.removeItem(atPath: outputsFile)
            try Data(JSONWriter.bytes(lease.stepContext(artifactRoot: artifactRoot))).write(to: URL(fileURLWithPath: stepFile))
            try metrics.prepare()
            for output in lease.outputs {
                let path = lease.outputURI(output, artifactRoot: artifactRoot)
                try fileManager.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            }
            ending = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await shipper.run() }
                group.addTask { await metrics.run() }
                defer {
                    shipper.stop()
                    metrics.stop()
                    group.cancelAll()
                }
                return try await execute(
                    artifactRoot: artifactRoot, outputsFile: outputsFile, attemptDirectory: attemptDirectory, shipper: shipper,
                    metricsFile: metrics.path)
            }
        } catch let refusal as StepRefusal {
            ending = .couldNotStart(refusal.reason)
        } catch {
            ending = .couldNotStart("\(error)")
        }
        await metrics.flush(final: true)
        await shipper.flush()
        await report(ending, artifactRoot: artifactRoot, outputsFile: outputsFile, tail: shipper.tail)
    }

    /// Runs the process to its end, streaming its output.
    private func execute(
        artifactRoot: String, outputsFile: String, attemptDirectory: String, shipper: LogShipper, metricsFile: String
    ) async throws -> Ending {
        let rendered = lease.rendered(artifactRoot: artifactRoot, outputsFile: outputsFile)
        guard let program = rendered.command.first, !program.isEmpty else { return .couldNotStart("the command is empty") }
        if let refusal = CommandAllowList(prefixes: configuration.allowedCommands).refusal(of: rendered.command) {
            return .couldNotStart(refusal)
        }
        let directory = rendered.workingDirectory.map(Self.absolute)
        let executable: Executable =
            program.contains("/")
            ? .path(FilePath(program.hasPrefix("/") ? program : (directory ?? FileManager.default.currentDirectoryPath) + "/" + program))
            : .name(program)
        var environment: [Environment.Key: String?] = [
            "PROVENANCE_OUTPUTS_FILE": outputsFile, "PROVENANCE_ARTIFACT_ROOT": artifactRoot,
            "PROVENANCE_ATTEMPT_DIR": attemptDirectory, "PROVENANCE_RUN_ID": String(lease.runID.rawValue),
            "PROVENANCE_TASK_ID": String(lease.token.taskID.rawValue), "PROVENANCE_ATTEMPT": String(lease.token.attempt),
            "PROVENANCE_SERVER": configuration.server, "PROVENANCE_NAMESPACE": lease.namespace,
            "PROVENANCE_METRICS_FILE": metricsFile, "PROVENANCE_STEP_FILE": attemptDirectory + "/" + Self.stepFileName,
        ]
        for (name, value) in rendered.environment {
            if let key = Environment.Key(rawValue: name) { environment[key] = value }
        }
        // The executor's credential is not the step's (a step runs whatever its component says): the step gets its
        // attempt's fencing token, which the server takes as a writer's credential in the run's namespace while the
        // attempt runs, and never beyond.
        environment["PROVENANCE_TOKEN"] = lease.token.description
        if let requestID = lease.requestID { environment["PROVENANCE_REQUEST_ID"] = requestID }
        var options = PlatformOptions()
        options.processGroupID = 0
        let timeout = lease.timeout
        let control = self.control
        let result = try await Subprocess.run(
            executable, arguments: Arguments(Array(rendered.command.dropFirst())),
            environment: .inherit.updating(environment), workingDirectory: directory.map { FilePath($0) },
            platformOptions: options, input: .none, output: .sequence, error: .sequence
        ) { execution in
            // However the attempt ends (the step exited, was stopped, or its output could not be read), nothing it
            // started is left running: its whole process group is killed on the way out.
            defer { try? execution.send(signal: .kill, toProcessGroup: true) }
            return try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await Self.ship(execution.standardOutput, as: .stdout, to: shipper)
                    return true
                }
                group.addTask {
                    try await Self.ship(execution.standardError, as: .stderr, to: shipper)
                    return true
                }
                group.addTask {
                    await control.waitForStop(timeout: timeout)
                    guard !Task.isCancelled else { return false }
                    try? execution.send(signal: .terminate, toProcessGroup: true)
                    try? await Task.sleep(for: Self.killGrace)
                    if !Task.isCancelled { try? execution.send(signal: .kill, toProcessGroup: true) }
                    return false
                }
                // Both streams end when the process (and whatever it started in its group) has exited.
                var finishedStreams = 0
                while finishedStreams < 2, let finished = try await group.next() {
                    if finished { finishedStreams += 1 }
                }
                group.cancelAll()
            }
        }
        switch result.terminationStatus {
        case .exited(let code): return .exited(code)
        case .signaled(let signal): return .signaled(signal)
        }
    }

    /// Sends a stream of the step's output to the log as it arrives, cut into lines (see `OutputLines`).
    private static func ship(_ output: SubprocessOutputSequence, as stream: LogStream, to shipper: LogShipper) async throws {
        var lines = OutputLines()
        for try await buffer in output {
            for line in buffer.withUnsafeBytes({ lines.feed($0) }) { shipper.append(line, stream: stream) }
        }
        for line in lines.finish() { shipper.append(line, stream: stream) }
    }

    /// Reports the ending: nothing when the lease was lost, a cancellation, a given-back lease, a failure, or
    /// (exit 0 and every output in place) a completion with the outputs file's additions.
    private func report(_ ending: Ending, artifactRoot: String, outputsFile: String, tail: String) async {
        let stopped = control.stopReason
        if stopped == .leaseLost {
            logger.notice("lease lost; the step was stopped and nothing is reported", metadata: metadata)
            return
        }
        func fail(_ error: String, exitCode: Int? = nil, canceled: Bool = false, released: Bool = false) async {
            let failure = AttemptFailure(error: error, exitCode: exitCode, logTail: tail, canceled: canceled, released: released)
            await send("fail") { () async throws(ProvenanceError) in try await client.fail(lease.token, failure: failure) }
        }
        switch (ending, stopped) {
        case (_, .canceled?):
            await fail("stopped: the run was cancelled", canceled: true)
        case (_, .shutdown?):
            await fail("stopped: the executor shut down before the step finished; the task is given back", released: true)
        case (.exited(let code), .timeout?), (.signaled(let code), .timeout?):
            await fail("timed out after \(SettingDuration.describe(lease.timeout ?? .zero)) and was killed", exitCode: Int(code))
        case (.couldNotStart(let reason), _):
            await fail("the step could not start: \(reason)")
        case (.signaled(let signal), _):
            await fail("killed by signal \(signal)", exitCode: 128 + Int(signal))
        case (.exited(let code), _) where code != 0:
            await fail("exited with status \(code)", exitCode: Int(code))
        case (.exited, _):
            let reports: [String: OutputReport]
            do {
                reports = try OutputsFile.reports(lease, artifactRoot: artifactRoot, path: outputsFile)
            } catch {
                return await fail("the outputs file is not valid: \(error.message)", exitCode: 0)
            }
            let missing = lease.outputs.filter { output in
                reports[output.name]?.uri == lease.outputURI(output, artifactRoot: artifactRoot)
                    && !FileManager.default.fileExists(atPath: lease.outputURI(output, artifactRoot: artifactRoot))
            }
            guard missing.isEmpty else {
                let list = missing.map { "\($0.name) (at \(lease.outputURI($0, artifactRoot: artifactRoot)))" }
                return await fail("exited 0 but did not write \(list.joined(separator: ", "))", exitCode: 0)
            }
            let refusal = await send("complete") { () async throws(ProvenanceError) in
                try await client.complete(lease.token, report: AttemptReport(outputs: reports))
            }
            // Outputs the server will never take (too large, not fitting their types) fail the attempt with the
            // server's reason, rather than leave the lease to expire and the task to be tried again for nothing.
            if let refusal, [.invalidArgument, .payloadTooLarge, .failedPrecondition].contains(refusal.code) {
                await fail("the server refused the step's outputs: \(refusal.message)", exitCode: 0)
            }
        }
    }

    /// Sends a report, again while the server cannot be reached (the report is idempotent), for up to
    /// `reportPatience`; the error it ended with, if it was not taken.
    @discardableResult
    private func send(_ what: String, _ report: () async throws(ProvenanceError) -> AttemptOutcome) async -> ProvenanceError? {
        let deadline = ContinuousClock.now + Self.reportPatience
        while true {
            do {
                let outcome = try await report()
                var details = metadata
                details["task_state"] = "\(outcome.taskState.name)"
                if let error = outcome.error { details["error"] = "\(error)" }
                logger.info("step \(what == "complete" ? "completed" : "failed")", metadata: details)
                return nil
            } catch where error.code == .unavailable && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .seconds(1))
            } catch {
                var details = metadata
                details["error"] = "\(error.message)"
                logger.warning("could not report the step's outcome", metadata: details)
                return error
            }
        }
    }

    private var metadata: Logger.Metadata {
        [
            "run": "\(lease.runID)", "step": "\(lease.step)", "task": "\(lease.token.taskID)", "attempt": "\(lease.token.attempt)",
            "request_id": "\(lease.requestID ?? "none")",
        ]
    }

    /// `path` made absolute against the current directory.
    /// Why `path` may not be used, if it resolves outside `root` (after `.` and `..` are resolved); nil if inside.
    static func escape(_ path: String, from root: String, what: String) -> String? {
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.path
        let base = URL(fileURLWithPath: root).standardizedFileURL.path
        guard !resolved.hasPrefix(base.hasSuffix("/") ? base : base + "/") else { return nil }
        return "the \(what)'s path \(path) resolves outside \(base); refused"
    }

    /// A step refused before it starts, with the reason its attempt fails.
    struct StepRefusal: Error {
        let reason: String
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
