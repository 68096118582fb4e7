import Foundation
import ProvenanceClient
import ProvenanceCore
import ProvenanceServer
import ProvenanceTestSupport

/// A real server on a fresh database, a `ProvenanceClient` of it, a scratch directory, and the real
/// `provenance executor` processes a test starts; the server can be restarted on the same database and port.
final class PipelineHarness: @unchecked Sendable {
    let directory: String
    private(set) var port = 0
    private var config: ServerConfiguration
    private var server: ProvenanceServer?
    private var serverTask: Task<Void, any Error>?
    private var executors: [ProvenanceProcess] = []
    private(set) var client: ProvenanceClient!

    private init(config: ServerConfiguration, directory: String) {
        self.config = config
        self.directory = directory
    }

    /// Runs `body` with a harness whose server leases tasks for `leaseDuration`; stops everything afterwards.
    static func with(leaseDuration: Duration = .seconds(30), _ body: (PipelineHarness) async throws -> Void) async throws {
        var config = ServerConfiguration(httpPort: 0, grpcPort: 0, logLevel: .warning)
        config.databaseURL = try await TestCluster.shared.freshDatabase().url
        config.databaseConnections = TestCluster.connectionsPerServer
        config.leaseDuration = leaseDuration
        config.shutdownGrace = .seconds(2)
        // A shutdown slow to finish on a loaded machine must not end the whole test process.
        config.cancellationGrace = .seconds(120)
        let directory = TestCluster.scratchDirectory("pipelines/\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let harness = PipelineHarness(config: config, directory: directory)
        try await harness.startServer()
        harness.client = ProvenanceClient(baseURL: "http://127.0.0.1:\(harness.port)")
        do {
            try await body(harness)
        } catch {
            await harness.stop()
            for executor in harness.executors { print("--- \(executor.logPath)\n\(executor.output.suffix(4000))") }
            throw error
        }
        await harness.stop()
    }

    private func startServer() async throws {
        let server = try await buildServer(config: config, handleSignals: false)
        self.server = server
        serverTask = Task { try await server.run() }
        port = await server.listeningHTTPPort()
        config.httpPort = port
    }

    /// Shuts the server down gracefully and starts a new one on the same database and port.
    func restartServer() async throws {
        await server?.shutdown()
        _ = try? await serverTask?.value
        try await startServer()
    }

    private func stop() async {
        for executor in executors { await executor.stop() }
        try? await client?.shutdown()
        await server?.shutdown()
        _ = try? await serverTask?.value
    }

    /// Starts a `provenance executor` process attached to the server.
    @discardableResult
    func startExecutor(_ arguments: [String] = []) throws -> ProvenanceProcess {
        let executor = try ProvenanceProcess.executor(port: port, directory: directory, arguments: arguments)
        executors.append(executor)
        return executor
    }

    /// Registers the components and applies the pipelines of a YAML document (`---` between specs), as a client
    /// sends them.
    func apply(_ yaml: String) async throws {
        for document in yaml.components(separatedBy: "\n---\n") {
            let bytes = Array(document.utf8)
            if document.contains("\nsteps:") || document.hasPrefix("steps:") {
                _ = try await client.applyPipeline(document: bytes, contentType: "application/yaml")
            } else {
                _ = try await client.registerComponent(document: bytes, contentType: "application/yaml")
            }
        }
    }

    /// Submits a run of `pipeline`.
    func submit(_ pipeline: String, parameters: [String: JSON] = [:], cache: Bool = true) async throws -> RunID {
        try await client.submitRun(RunRequest(pipeline: pipeline, parameters: parameters, cache: cache)).id
    }

    /// The run once `condition` holds.
    func waitForRun(_ id: RunID, _ what: String, limit: Duration = .seconds(90), until condition: (Run) -> Bool) async throws -> Run {
        var run = try await client.run(id)
        try await eventually("run \(id.rawValue): \(what)", limit: limit) {
            run = try await client.run(id)
            return condition(run)
        }
        return run
    }

    /// The run once it has ended.
    func finished(_ id: RunID, limit: Duration = .seconds(90)) async throws -> Run {
        try await waitForRun(id, "to end", limit: limit) { $0.state.isFinal }
    }

    /// The text of a file, or nil.
    func read(_ path: String) -> String? {
        try? String(contentsOfFile: path, encoding: .utf8)
    }
}
