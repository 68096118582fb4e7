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

    @Test func bundledMigrationsAreNumberedInOrder() throws {
        let migrations = try Migrator.bundledMigrations()
        #expect(!migrations.isEmpty)
        #expect(migrations.map(\.version) == Array(1...migrations.count))
    }
}
