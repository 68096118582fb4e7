import Logging
import PostgresNIO
import ProvenanceCore
@testable import ProvenanceStore
import ProvenanceTestSupport
import Testing

@Suite struct MigratorTests {
    @Test func migratingTwiceAppliesNothingAndAnEditedMigrationIsRefused() async throws {
        let endpoint = try await TestCluster.shared.freshDatabase()
        let logger = Logger(label: "test")
        #expect(try await Migrator.migrate(endpoint, logger: logger).isEmpty, "the template is already migrated")
        let store = try PostgresStore(endpoint: endpoint, options: StoreOptions(maximumConnections: TestCluster.connectionsPerServer), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            try await store.client.query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
            group.cancelAll()
        }
        await #expect {
            try await Migrator.migrate(endpoint, logger: logger)
        } throws: { error in
            (error as? ProvenanceError)?.message.contains("was changed after it was applied") == true
        }
    }

    @Test func aDatabaseMigratedWithTheOldChecksumsIsRecognisedAndItsChecksumsBecomeSHA256() async throws {
        let endpoint = try await TestCluster.shared.freshDatabase()
        let logger = Logger(label: "test")
        let migrations = try Migrator.bundledMigrations()
        let store = try PostgresStore(endpoint: endpoint, options: StoreOptions(maximumConnections: 1), logger: logger)
        func checksums() async throws -> [Int: String] {
            var found: [Int: String] = [:]
            for try await (version, checksum) in try await store.client.query("SELECT version, checksum FROM schema_migrations")
                .decode((Int, String).self) { found[version] = checksum }
            return found
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            // As a server of the previous release left it: 64-bit FNV-1a checksums.
            for migration in migrations {
                try await store.client.query(
                    "UPDATE schema_migrations SET checksum = \(StableHash.legacyChecksum(migration.sql)) WHERE version = \(migration.version)")
            }
            #expect(try await checksums()[1] != migrations[0].checksum)
            #expect(try await Migrator.migrate(endpoint, logger: logger).isEmpty)
            let after = try await checksums()
            for migration in migrations {
                #expect(after[migration.version] == migration.checksum, "\(migration.name)")
                #expect(migration.checksum.count == 64)
            }
            group.cancelAll()
        }
    }

    @Test func bundledMigrationsAreNumberedInOrder() throws {
        let migrations = try Migrator.bundledMigrations()
        #expect(!migrations.isEmpty)
        #expect(migrations.map(\.version) == Array(1...migrations.count))
    }
}
