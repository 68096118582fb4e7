import Foundation
import ProvenanceCore

/// Everything `provenance executor` can be told; the defaults are the initial values below, read through
/// `ExecutorSettings.table`.
public struct ExecutorConfiguration: Sendable {
    /// The server's base URL.
    public var server = "http://127.0.0.1:8080"
    /// The API token (an executor token) it authenticates with; its namespaces are the ones it serves.
    public var token: String? = nil
    /// The CA file (PEM) an `https` server's certificate is verified against; the system's roots if nil.
    public var caFile: String? = nil
    /// Command prefixes steps may run (none: any); a step whose command starts otherwise fails, saying why.
    public var allowedCommands: [String] = []
    /// A name for people; the host and process id by default.
    public var name = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    /// Labels steps can require.
    public var labels: [String: String] = [:]
    /// Steps run at once.
    public var slots = ProcessInfo.processInfo.activeProcessorCount
    /// CPU cores offered.
    public var cpu = Double(ProcessInfo.processInfo.activeProcessorCount)
    /// Memory offered, in MiB.
    public var memoryMB = Int(ProcessInfo.processInfo.physicalMemory / (1024 * 1024))
    /// GPUs offered.
    public var gpu = 0
    /// Where each attempt gets a directory of its own (its outputs file among others).
    public var workDirectory = ".provenance/work"
    /// Where outputs are written (each attempt under a path of its own); shared storage lets executors on several
    /// machines read each other's outputs.
    public var artifactRoot = ".provenance/artifacts"
    /// On SIGTERM, how long running steps may finish before they are stopped and their leases given back.
    public var shutdownGrace: Duration = .seconds(30)
    /// The longest one lease request waits for a task.
    public var pollWait: Duration = .seconds(30)

    /// The defaults.
    public init() {}

    /// What the executor offers in all.
    public var capacity: ExecutorCapacity { ExecutorCapacity(slots: slots, cpu: cpu, memoryMB: memoryMB, gpu: gpu) }
}

/// The settings of `provenance executor`, each once (see `SettingsTable`).
public enum ExecutorSettings {
    /// Every setting of `executor`.
    public static let table = SettingsTable<ExecutorConfiguration>(defaults: { ExecutorConfiguration() }, [
        .text("server", \.server, valueName: "URL", help: "The Provenance server to take steps from."),
        .optionalText(
            "token", \.token, valueName: "TOKEN",
            help: "An executor API token; steps come only from the namespaces it holds. Prefer the environment variable to the flag."),
        .optionalText(
            "ca-file", \.caFile, valueName: "PATH",
            help: "CA certificates (PEM) to verify an https server with; the system's roots if not given."),
        Setting(
            "allow-command", \.allowedCommands, valueName: "PREFIX,...",
            help: "Run only steps whose command (program and arguments, joined by spaces) starts with one of these prefixes; others fail saying why.",
            parse: { text in
                let prefixes = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                return prefixes.isEmpty ? nil : prefixes
            }, expected: "command prefixes separated by commas",
            describe: { $0.isEmpty ? "any command" : $0.joined(separator: ",") }),
        // Defaults that depend on the machine are described, not printed (help and the README say the same everywhere).
        Setting(
            "name", \.name, valueName: "NAME", help: "A name for people.", parse: { $0.isEmpty ? nil : $0 },
            expected: "text", describe: { _ in "host-pid" }),
        Setting(
            "labels", \.labels, valueName: "K=V,...", help: "Labels steps can require, as key=value pairs.",
            parse: ExecutorSettings.labels, expected: "key=value pairs separated by commas",
            describe: { labels in labels.isEmpty ? "none" : labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: ",") }),
        Setting(
            "slots", \.slots, valueName: "N", help: "Steps run at once.", parse: { Int($0).flatMap { (1...10_000).contains($0) ? $0 : nil } },
            expected: "a whole number from 1 to 10000", describe: { _ in "the number of cores" }),
        Setting(
            "cpu", \.cpu, valueName: "CORES", help: "CPU cores offered to steps.",
            parse: { Double($0).flatMap { $0 >= 0 && $0.isFinite ? $0 : nil } }, expected: "a number of cores",
            describe: { _ in "the number of cores" }),
        Setting(
            "memory-mb", \.memoryMB, valueName: "N", help: "Memory offered to steps, in MiB.",
            parse: { Int($0).flatMap { $0 >= 0 ? $0 : nil } }, expected: "a whole number of MiB", describe: { _ in "all of it" }),
        .integer("gpu", \.gpu, in: 0...1024, help: "GPUs offered to steps."),
        .text("work-dir", \.workDirectory, valueName: "PATH", help: "Where each attempt gets a directory of its own."),
        .text("artifact-root", \.artifactRoot, valueName: "PATH", help: "Where steps write their outputs (attempt-specific paths under it)."),
        .duration("shutdown-grace", \.shutdownGrace, help: "On SIGTERM, how long running steps may finish before their leases are given back."),
        .duration("poll-wait", \.pollWait, help: "The longest one lease request waits for a task."),
    ])

    /// Reads `k=v,k2=v2`.
    static func labels(_ text: String) -> [String: String]? {
        var labels: [String: String] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty else { return nil }
            labels[String(parts[0])] = String(parts[1])
        }
        return labels
    }
}
