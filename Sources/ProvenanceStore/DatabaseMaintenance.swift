import Logging
import PostgresNIO

/// Upkeep run on a database from outside a server (benchmarks refresh statistics after a bulk load).
public enum DatabaseMaintenance {
    /// Vacuums and analyzes every table of the database at `endpoint`, over a connection of its own.
    public static func analyze(_ endpoint: DatabaseEndpoint, logger: Logger) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: try endpoint.connectionConfiguration(), id: 1, logger: logger)
        do {
            try await connection.query("VACUUM ANALYZE", logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
