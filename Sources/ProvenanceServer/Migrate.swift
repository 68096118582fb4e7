import Logging
import ProvenanceCore
import ProvenanceStore

/// The released version of this build.
public enum ProvenanceVersion {
    /// Semantic version.
    public static let current = "0.1.0"
}

/// Applies migrations for `provenance migrate`: to the configured database, or to the embedded cluster (see
/// `withDatabase`). Returns the migrations applied.
public func migrateDatabase(config: ServerConfiguration) async throws -> [String] {
    try await withDatabase(config: config, migrate: false) { endpoint, logger in
        try await Migrator.migrate(endpoint, logger: logger)
    }
}

/// Runs `body` with the database a server configured by `config` uses, for commands run on the database
/// (`migrate`, `tokens`): the configured one, or the embedded cluster's, which is started for the purpose and
/// stopped again if no server runs it, or reached through its socket while a server does. With `migrate`, the
/// schema is brought up to date first.
public func withDatabase<Value: Sendable>(
    config: ServerConfiguration, migrate: Bool = true,
    _ body: @Sendable (DatabaseEndpoint, Logger) async throws -> Value
) async throws -> Value {
    let logger = Logger(label: "provenance", factory: { ServerLogHandler(label: $0) })
    func run(_ endpoint: DatabaseEndpoint) async throws -> Value {
        if migrate { try await Migrator.migrate(endpoint, logger: logger) }
        return try await body(endpoint, logger)
    }
    if let url = config.databaseURL { return try await run(try DatabaseEndpoint(url: url)) }
    return try await withEmbeddedCluster(config: config, exclusive: false) { cluster in try await run(cluster.endpoint) }
}

/// Writes the embedded cluster's database to `file` (`provenance backup`), while a server runs on it or not.
public func backupDatabase(config: ServerConfiguration, to file: String) async throws {
    guard config.databaseURL == nil else {
        throw ProvenanceError(.invalidArgument, "backup is for the embedded cluster; back an external server up with pg_dump")
    }
    try await withEmbeddedCluster(config: config, exclusive: false) { cluster in try cluster.backup(to: file) }
}

/// Replaces the embedded cluster's database with the backup in `file` (`provenance restore`); no server may run
/// on the data directory meanwhile. The schema is brought up to date afterwards.
public func restoreDatabase(config: ServerConfiguration, from file: String) async throws {
    guard config.databaseURL == nil else {
        throw ProvenanceError(.invalidArgument, "restore is for the embedded cluster; restore an external server with pg_restore")
    }
    try await withEmbeddedCluster(config: config, exclusive: true) { cluster in
        try cluster.restore(from: file)
        let logger = Logger(label: "provenance", factory: { ServerLogHandler(label: $0) })
        try await Migrator.migrate(cluster.endpoint, logger: logger)
    }
}

/// Runs `body` with the embedded cluster of `config` running: the server's own while one runs (unless
/// `exclusive`, which refuses then), else started for the purpose and stopped again.
private func withEmbeddedCluster<Value>(
    config: ServerConfiguration, exclusive: Bool, _ body: (EmbeddedPostgres) async throws -> Value
) async throws -> Value {
    let logger = Logger(label: "provenance", factory: { ServerLogHandler(label: $0) })
    let cluster = try EmbeddedPostgres(dataDirectory: config.dataDirectory, logger: logger)
    let acquired = Result { () throws(ProvenanceError) in try DataDirectoryLock.acquire(for: config.dataDirectory) }
    if case .failure(let error) = acquired, error.code == .failedPrecondition, !exclusive {
        return try await body(cluster)
    }
    let lock = try acquired.get()
    defer { lock.release() }
    try await cluster.start()
    do {
        let value = try await body(cluster)
        try cluster.stop()
        return value
    } catch {
        try? cluster.stop()
        throw error
    }
}
