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

    /// The admin token the harness's client sends, when the harness was made `authenticated`.
    private(set) var adminToken: String?

    /// Runs `body` with a harness whose server leases tasks for `leaseDuration`; stops everything afterwards. When
    /// `authenticated`, an admin token is made first (so the server requires tokens) and the client sends it.
    static func with(
        leaseDuration: Duration = .seconds(30), authenticated: Bool = false, _ body: (PipelineHarness) async throws -> Void
    ) async throws {
        var config = ServerConfiguration(httpPort: 0, grpcPort: 0, logLevel: .warning)
        config.databaseURL = try await TestCluster.shared.freshDatabase().url
        config.databaseConnections = TestCluster.connectionsPerServer
        config.connectionWait = TestCluster.connectionWait
        config.leaseDuration = leaseDuration
        config.shutdownGrace = .seconds(2)
        let directory = TestCluster.scratchDirectory("pipelines/\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let harness = PipelineHarness(config: config, directory: directory)
        try await harness.startServer()
        harness.client = ProvenanceClient(baseURL: "http://127.0.0.1:\(harness.port)")
        do {
            if authenticated {
                let admin = try await harness.makeToken(role: "admin", namespaces: ["*"])
                try? await harness.client.shutdown()
                harness.adminToken = admin
                harness.client = ProvenanceClient(baseURL: "http://127.0.0.1:\(harness.port)", token: admin)
            }
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

    /// Makes a token through the harness's client and returns its secret.
    func makeToken(role: String, namespaces: [String]) async throws -> String {
        let answer = try await client.post("/api/v1/tokens", json: [
            "name": .string("\(role)-\(namespaces.joined(separator: "+"))"), "role": .string(role),
            "namespaces": .array(namespaces.map(JSON.string)),
        ])
        guard case .string(let token)? = answer["token"] else { throw TestFailure("no token in \(answer)") }
        return token
    }

    /// Starts a `provenance executor` process attached to the server.
    @discardableResult
    func startExecutor(_ arguments: [String] = [], token: String? = nil) throws -> ProvenanceProcess {
        let executor = try ProvenanceProcess.executor(port: port, directory: directory, arguments: arguments, token: token)
        executors.append(executor)
        return executor
    }

    /// Registers the components and applies the pipelines of a YAML document (`---` between specs), as a client
    /// sends them.
    func apply(_ yaml: String) async throws {
        try await Self.apply(yaml, with: client)
    }

    /// Registers the components and applies the pipelines of a YAML document through `client`.
    static func apply(_ yaml: String, with client: ProvenanceClient) async throws {
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
