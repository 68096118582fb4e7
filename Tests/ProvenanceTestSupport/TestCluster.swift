import Foundation
import Logging
import PostgresNIO
import ProvenanceCore
import ProvenanceStore

/// The PostgreSQL cluster of one test run, started through the same launcher as the server's embedded cluster,
/// with durability relaxed (it is thrown away). Each suite gets a fresh database cloned from a migrated template.
public actor TestCluster {
    /// The run's cluster.
    public static let shared = TestCluster()

    private var startup: Task<EmbeddedPostgres, any Error>?
    private var databaseCount = 0
    private let logger = Logger(label: "provenance-tests")

    /// Settings for throwaway clusters: no fsync, enough connections for parallel suites.
    /// The pool size of each test server or store: they keep their connections open and run side by side.
    public static let connectionsPerServer = 4
    /// How long a test server's request waits for a pooled connection: longer than a real server's 5 s, as a
    /// fully loaded test run can take that long to open a connection (a request failing then says nothing about
    /// the code under test).
    public static let connectionWait: Duration = .seconds(30)

    public static let settings = [
        "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "1000",
    ]

    /// A scratch directory for a cluster, under /tmp so that the `postgres` user can reach it when tests run
    /// as root from a home directory it cannot enter.
    public static func scratchDirectory(_ name: String) -> String {
        let key = String(StableHash.fnv1a64(FileManager.default.currentDirectoryPath), radix: 16)
        return "/tmp/provenance-test-\(key)/\(name)"
    }

    /// A new, migrated, empty database of the run's cluster.
    public func freshDatabase() async throws -> DatabaseEndpoint {
        let cluster = try await startedCluster()
        databaseCount += 1
        let name = "suite_\(ProcessInfo.processInfo.processIdentifier)_\(databaseCount)"
        try await Self.withMaintenanceConnection(cluster, logger: logger) { connection in
            try await connection.query("CREATE DATABASE \(unescaped: name) TEMPLATE provenance_template", logger: logger)
        }
        return cluster.endpoint.with(database: name)
    }

    /// The started cluster. One startup task is shared: the actor is reentrant across the awaits of starting,
    /// and suites that arrive meanwhile must wait for it, not start a second cluster in the same directory.
    private func startedCluster() async throws -> EmbeddedPostgres {
        if let startup { return try await startup.value }
        let logger = self.logger
        let task = Task { try await Self.startCluster(logger: logger) }
        startup = task
        return try await task.value
    }

    private static func startCluster(logger: Logger) async throws -> EmbeddedPostgres {
        let directory = ProcessInfo.processInfo.environment["PROVENANCE_TEST_DATA_DIR"] ?? Self.scratchDirectory("cluster")
        let cluster = try EmbeddedPostgres(dataDirectory: directory, settings: Self.settings, logger: logger)
        // A cluster left by an interrupted run is stopped and thrown away: every run starts clean.
        try? cluster.stop()
        try? FileManager.default.removeItem(atPath: directory)
        try await cluster.start()
        try await withMaintenanceConnection(cluster, logger: logger) { connection in
            try await connection.query("CREATE DATABASE provenance_template", logger: logger)
        }
        try await Migrator.migrate(cluster.endpoint.with(database: "provenance_template"), logger: logger)
        TestClusterShutdown.register(cluster)
        return cluster
    }

    private static func withMaintenanceConnection(
        _ cluster: EmbeddedPostgres, logger: Logger, _ body: @Sendable (PostgresConnection) async throws -> Void
    ) async throws {
        let endpoint = cluster.endpoint.with(database: "postgres")
        let connection = try await PostgresConnection.connect(
            configuration: .init(unixSocketPath: Self.socketPath(endpoint), username: endpoint.username, password: nil, database: endpoint.database),
            id: 0, logger: logger)
        do {
            try await body(connection)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    static func socketPath(_ endpoint: DatabaseEndpoint) -> String {
        guard case .unixSocket(let path) = endpoint.location else { return "" }
        return path
    }
}

/// Stops the run's cluster when the test process exits.
enum TestClusterShutdown {
    nonisolated(unsafe) private static var cluster: EmbeddedPostgres?

    static func register(_ cluster: EmbeddedPostgres) {
        self.cluster = cluster
        atexit { try? TestClusterShutdown.cluster?.stop() }
    }
}

extension DatabaseEndpoint {
    /// The endpoint as a URL `buildServer` accepts.
    public var url: String {
        switch location {
        case .tcp(let host, let port): return "postgres://\(username)@\(host):\(port)/\(database)"
        case .unixSocket(let path):
            let directory = (path as NSString).deletingLastPathComponent
            let port = path.split(separator: ".").last ?? "5432"
            return "postgres://\(username)@localhost:\(port)/\(database)?host=\(directory)"
        }
    }
}
