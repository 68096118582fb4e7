import Foundation
import Logging
import ProvenanceCore
import ServiceLifecycle
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// One `provenance executor` run as a child process of the server, attached to it over HTTP like any other (the
/// one-command start: `provenance serve` on the embedded database runs the example pipeline by itself).
///
/// The child is started once the HTTP API listens, writes its log lines through the server's standard error, is
/// started again (after a pause) if it exits, and on the server's graceful shutdown gets SIGTERM so it lets its
/// steps finish and gives back the leases of the rest; it is the first service to shut down, while the API still
/// answers its reports. It exits by itself if the server dies without stopping it.
struct LocalExecutorService: Service {
    /// The command that starts an executor (`/path/to/provenance executor`, with its settings); `--server` is
    /// added.
    let command: [String]
    /// Where it reaches the API.
    let host: String
    let httpPort: PortAnnouncement
    /// Its own executor token (the server makes one at each start), passed in its environment.
    let token: TokenSecret?
    /// `https` when the server serves TLS.
    let scheme: String
    let logger: Logger

    /// Whether a server configured by `config` runs a local executor: only on the embedded cluster, with the
    /// setting on and an executor command given.
    static func runs(config: ServerConfiguration) -> Bool {
        config.databaseURL == nil && config.localExecutor && config.executorCommand != nil
    }

    /// The service for a server configured by `config` (which `runs`), its files beside the embedded cluster's data
    /// directory.
    init(config: ServerConfiguration, httpPort: PortAnnouncement, token: TokenSecret?, logger: Logger) {
        let command = config.executorCommand ?? []
        let base = (config.dataDirectory as NSString).deletingLastPathComponent
        func beside(_ name: String) -> String { base.isEmpty ? name : base + "/" + name }
        // The server waits `shutdownGrace` for everything; the executor gets half of it for its steps.
        let grace = max(config.shutdownGrace / 2, .seconds(1))
        // Over TLS it trusts the server's own certificate chain (give the whole chain, the CA included).
        self.command = command + [
            "--work-dir", beside("work"), "--artifact-root", beside("artifacts"),
            "--shutdown-grace", "\(grace.components.seconds)s",
        ] + (config.tlsCertificate.map { ["--ca-file", $0] } ?? [])
        self.scheme = config.tlsCertificate == nil ? "http" : "https"
        self.host = config.httpHost
        self.httpPort = httpPort
        self.token = token
        self.logger = logger
    }

    /// How long to wait before starting an executor that exited again.
    static let restartPause: Duration = .seconds(2)

    func run() async throws {
        guard let program = command.first else { return }
        var port = httpPort.current
        while port == nil {
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { return }
            try? await Task.sleep(for: .milliseconds(50))
            port = httpPort.current
        }
        guard let port else { return }
        let reachable = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "[::1]" : host.contains(":") ? "[\(host)]" : host
        let arguments = Array(command.dropFirst()) + ["--server", "\(scheme)://\(reachable):\(port)"]
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let status = try await runChild(program: program, arguments: arguments)
                guard !Task.isShuttingDownGracefully && !Task.isCancelled else { return }
                logger.warning("the local executor exited; starting it again", metadata: ["status": "\(status)"])
            } catch {
                logger.error("the local executor could not start", metadata: ["command": "\(command)", "error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.restartPause) }
        }
    }

    /// Runs the child until it exits, forwarding its log lines; SIGTERM on graceful shutdown.
    private func runChild(program: String, arguments: [String]) async throws -> TerminationStatus {
        var environment: [Environment.Key: String?] = [
            Environment.Key(rawValue: LocalExecutorEnvironment.parentProcess)!: String(ProcessInfo.processInfo.processIdentifier)
        ]
        if let token { environment[Environment.Key(rawValue: "PROVENANCE_TOKEN")!] = token.text }
        logger.info("starting the local executor", metadata: ["command": "\(([program] + arguments).joined(separator: " "))"])
        let result = try await Subprocess.run(
            .path(FilePath(program)), arguments: Arguments(arguments), environment: .inherit.updating(environment),
            input: .none, output: .currentStandardOutput, error: .sequence
        ) { execution in
            try await withGracefulShutdownHandler {
                for try await line in execution.standardError.strings() {
                    FileHandle.standardError.write(Data((line.hasSuffix("\n") ? line : line + "\n").utf8))
                }
            } onGracefulShutdown: {
                try? execution.send(signal: .terminate)
            }
        }
        return result.terminationStatus
    }
}
