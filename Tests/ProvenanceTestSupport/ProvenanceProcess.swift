import Foundation
import Synchronization

/// A real `provenance` process (an executor, a server, a CLI command) started by a test from the binary the build
/// made next to the test bundle, its output kept in a file for the test to read.
public final class ProvenanceProcess: @unchecked Sendable {
    /// The `provenance` binary beside the running test bundle.
    public static var binary: String {
        let runner = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: runner).deletingLastPathComponent().appendingPathComponent("provenance").path
    }

    private let process = Process()
    /// The exit status, once this class reaped the process itself (see `waitForExit`).
    private let reaped = Mutex<Int32?>(nil)
    /// Where its standard output and error go.
    public let logPath: String

    /// Starts `provenance ARGUMENTS` in `directory`, with `environment` added to the test's.
    public init(_ arguments: [String], directory: String? = nil, environment: [String: String] = [:]) throws {
        let scratch = TestCluster.scratchDirectory("processes")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        logPath = scratch + "/\(arguments.first ?? "provenance")-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        // Settings of the test run's own environment must not leak into the process's.
        for key in merged.keys where key.hasPrefix("PROVENANCE_") && environment[key] == nil { merged[key] = nil }
        process.environment = merged
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    /// Starts `provenance executor` attached to the server at `port`, its files under `directory`, with `token`
    /// in its environment when given.
    public static func executor(port: Int, directory: String, arguments: [String] = [], token: String? = nil) throws
        -> ProvenanceProcess
    {
        try ProvenanceProcess(
            ["executor", "--server", "http://127.0.0.1:\(port)", "--work-dir", directory + "/work",
             "--artifact-root", directory + "/artifacts", "--poll-wait", "5s"] + arguments,
            environment: token.map { ["PROVENANCE_TOKEN": $0] } ?? [:])
    }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }

    /// Whether it still runs.
    public var isRunning: Bool { reaped.withLock { $0 } == nil && process.isRunning }

    /// Sends `signal`.
    public func send(_ signal: Int32) {
        // Once reaped, its pid may already be another process's.
        guard reaped.withLock({ $0 }) == nil else { return }
        kill(process.processIdentifier, signal)
    }

    /// Waits for it to exit; its exit status (128 + the signal's number if a signal ended it).
    ///
    /// Foundation reaps its children from machinery that can stall inside a busy concurrent test runner (a
    /// SIGKILLed server stayed a zombie for minutes), so this reaps the process itself with `waitpid`, and takes
    /// Foundation's answer only where Foundation got there first.
    public func waitForExit() async -> Int32 {
        while true {
            if let status = reaped.withLock({ $0 }) { return status }
            var status: Int32 = 0
            let result = waitpid(process.processIdentifier, &status, WNOHANG)
            if result == process.processIdentifier {
                let signal = status & 0x7f
                let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
                reaped.withLock { $0 = code }
                return code
            }
            if result == -1, !process.isRunning {
                return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Stops it (SIGKILL) if it still runs, and waits for it.
    public func stop() async {
        if isRunning { send(SIGKILL) }
        _ = await waitForExit()
    }

    /// What it wrote so far.
    public var output: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Runs `provenance ARGUMENTS` to its end; its exit status and output.
    public static func run(_ arguments: [String], directory: String? = nil, environment: [String: String] = [:]) async throws
        -> (status: Int32, output: String)
    {
        let process = try ProvenanceProcess(arguments, directory: directory, environment: environment)
        let status = await process.waitForExit()
        return (status, process.output)
    }
}

/// Polls `condition` until it holds; fails the test (by throwing) if it does not within `limit`, a bound for a hang,
/// not a timing assertion.
public func eventually(
    _ what: String, limit: Duration = .seconds(60), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestFailure("gave up waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(50))
    }
}

/// A test's own error, with what went wrong.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
