import Foundation
import Logging
import NIOCore
import PostgresNIO
import ProvenanceCore

/// One schema migration file, `NNNN_name.sql`.
public struct Migration: Sendable, Equatable {
    /// The number at the start of the file name.
    public var version: Int
    /// The file name without extension.
    public var name: String
    /// The SQL text.
    public var sql: String
    /// The SHA-256 of the text; a changed applied migration is a startup error.
    public var checksum: String { Digest.sha256(text: sql) }

    /// Whether `stored` is this migration's checksum: its SHA-256, or (for a database migrated before checksums
    /// were SHA-256) the 64-bit checksum of that time, which `Migrator` then replaces with the SHA-256.
    func matches(_ stored: String) -> Bool {
        stored == checksum || stored == StableHash.legacyChecksum(sql)
    }
}

/// Applies the bundled migrations in order, under an advisory lock so that several servers starting together
/// migrate once, and verifies that already-applied migrations were not edited afterwards.
public enum Migrator {
    /// The advisory lock key held while migrating.
    static let lockKey: Int64 = 0x5052_4F56_4D49_4752

    /// The migrations shipped with this build, in version order.
    public static func bundledMigrations() throws(ProvenanceError) -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil),
            let files = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else {
            throw ProvenanceError(.internal, "the migrations resource bundle is missing from this build")
        }
        var migrations: [Migration] = []
        for file in files.sorted() where file.hasSuffix(".sql") {
            let name = String(file.dropLast(4))
            guard let version = Int(name.prefix(while: \.isNumber)),
                let sql = try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            else { throw ProvenanceError(.internal, "unreadable migration \(file)") }
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        return migrations
    }

    /// Applies pending migrations to the database at `endpoint`; returns the names of those it applied.
    @discardableResult
    public static func migrate(_ endpoint: DatabaseEndpoint, logger: Logger) async throws -> [String] {
        let migrations = try bundledMigrations()
        let connection = try await PostgresConnection.connect(
            configuration: try endpoint.connectionConfiguration(), id: 1, logger: logger)
        do {
            let applied = try await migrate(connection, migrations: migrations, logger: logger)
            try await connection.close()
            return applied
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private static func migrate(_ connection: PostgresConnection, migrations: [Migration], logger: Logger)
        async throws -> [String]
    {
        // Session-level lock: released when the migrating connection closes, whatever happens.
        try await connection.query("SELECT pg_advisory_lock(\(lockKey))", logger: logger)
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        var appliedChecksums: [Int: (String, String)] = [:]
        let rows = try await connection.query("SELECT version, name, checksum FROM schema_migrations", logger: logger)
        for try await (version, name, checksum) in rows.decode((Int, String, String).self) {
            appliedChecksums[version] = (name, checksum)
        }
        for migration in migrations {
            guard let (name, checksum) = appliedChecksums[migration.version] else { continue }
            guard migration.matches(checksum) else {
                throw ProvenanceError(
                    .failedPrecondition,
                    "migration \(name) was changed after it was applied; migrations are never edited once landed")
            }
            if checksum != migration.checksum {
                try await connection.query(
                    "UPDATE schema_migrations SET checksum = \(migration.checksum) WHERE version = \(migration.version)",
                    logger: logger)
            }
        }
        var applied: [String] = []
        let pending = migrations.filter { appliedChecksums[$0.version] == nil }
        if !pending.isEmpty {
            // The extended protocol takes one statement at a time; PL/pgSQL's EXECUTE runs a whole file, passed as
            // a bind so no quoting of its text is needed.
            try await connection.query(
                """
                CREATE FUNCTION pg_temp.provenance_run_sql(sql text) RETURNS void LANGUAGE plpgsql
                AS $$ BEGIN EXECUTE sql; END $$
                """, logger: logger)
        }
        for migration in pending {
            logger.info("applying migration", metadata: ["migration": "\(migration.name)"])
            try await connection.query("BEGIN", logger: logger)
            do {
                try await connection.query("SELECT pg_temp.provenance_run_sql(\(migration.sql))", logger: logger)
                try await connection.query(
                    """
                    INSERT INTO schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """, logger: logger)
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            applied.append(migration.name)
        }
        return applied
    }
}

/// What `/readyz` reports: whether the database answers and is migrated, and how busy the pool is.
public struct StoreReadiness: Sendable, Equatable {
    /// A fresh connection (outside the pool) reached the database.
    public var reachable: Bool
    /// Every bundled migration is applied.
    public var migrated: Bool
    /// Pooled connections held by operations.
    public var connectionsInUse: Int
    /// The pool's size.
    public var connectionLimit: Int
    /// Operations waiting for a pooled connection.
    public var waiting: Int

    /// Whether requests can be served (a busy pool still serves them, after a wait).
    public var isReady: Bool { reachable && migrated }
    /// Whether every pooled connection is in use.
    public var poolIsBusy: Bool { connectionsInUse >= connectionLimit }
}

extension PostgresStore {
    /// Whether the database answers and has every bundled migration applied (the readiness check), asked over a
    /// connection of its own so that a pool busy with long statements is not taken for an unreachable database.
    public func readiness() async -> StoreReadiness {
        var readiness = StoreReadiness(
            reachable: false, migrated: false, connectionsInUse: usage.inUse,
            connectionLimit: options.maximumConnections, waiting: usage.waiting)
        guard let latest = try? Migrator.bundledMigrations().last?.version,
            let connection = try? await PostgresConnection.connect(
                configuration: try endpoint.connectionConfiguration(), id: 0, logger: logger)
        else { return readiness }
        do {
            let rows = try await connection.query("SELECT coalesce(max(version), 0) FROM schema_migrations", logger: logger)
            readiness.reachable = true
            for try await version in rows.decode(Int.self) { readiness.migrated = version >= latest }
        } catch {
            // A missing schema_migrations table answers too: the database is reachable but not migrated.
            if let error = error as? PSQLError, error.code == .server { readiness.reachable = true }
        }
        try? await connection.close()
        return readiness
    }
}
