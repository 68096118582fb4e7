import Logging
import ProvenanceStore

/// The released version of this build.
public enum ProvenanceVersion {
    /// Semantic version.
    public static let current = "0.1.0"
}

/// Applies migrations for `provenance migrate`: to the configured database, or to the embedded cluster, which
/// is started for the purpose and stopped again (refused while a server owns its data directory). Returns the
/// migrations applied.
public func migrateDatabase(config: ServerConfiguration) async throws -> [String] {
    let logger = Logger(label: "provenance", factory: ServerLogHandler.init)
    if let url = config.databaseURL {
        return try await Migrator.migrate(try DatabaseEndpoint(url: url), logger: logger)
    }
    // A running server owns the directory (and would lose its database when this stops the cluster).
    let lock = try DataDirectoryLock.acquire(for: config.dataDirectory)
    defer { lock.release() }
    let cluster = try EmbeddedPostgres(dataDirectory: config.dataDirectory, logger: logger)
    let endpoint = try await cluster.start()
    do {
        let applied = try await Migrator.migrate(endpoint, logger: logger)
        try cluster.stop()
        return applied
    } catch {
        try? cluster.stop()
        throw error
    }
}
