import Logging
import ProvenanceStore

/// The released version of this build.
public enum ProvenanceVersion {
    /// Semantic version.
    public static let current = "0.1.0"
}

/// Applies migrations for `provenance migrate`: to the configured database, or to the embedded cluster, which
/// is started for the purpose and stopped again. Returns the migrations applied.
public func migrateDatabase(config: ServerConfiguration) async throws -> [String] {
    let logger = Logger(label: "provenance", factory: ServerLogHandler.init)
    if let url = config.databaseURL {
        return try await Migrator.migrate(try DatabaseEndpoint(url: url), logger: logger)
    }
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
