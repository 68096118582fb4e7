import Logging
import PostgresNIO
@testable import ProvenanceStore
import ProvenanceTestSupport
import Testing

/// The settings every embedded cluster runs with, under the ones a caller gives.
@Suite struct EmbeddedSettingsTests {
    @Test func embeddedClustersSkipZeroFillingWALAnalyzeGrowingTablesSoonAndCompileNoQueries() async throws {
        let endpoint = try await TestCluster.shared.freshDatabase()
        let store = try PostgresStore(endpoint: endpoint, options: StoreOptions(maximumConnections: 1), logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            for (setting, expected) in [("wal_init_zero", "off"), ("autovacuum_naptime", "10s"), ("jit", "off")] {
                let rows = try await store.client.query("SHOW \(unescaped: setting)")
                var values: [String] = []
                for try await value in rows.decode(String.self) { values.append(value) }
                #expect(values == [expected], "the test cluster runs with EmbeddedPostgres.defaultSettings")
            }
            group.cancelAll()
        }
    }

    @Test func givenSettingsWinOverTheDefaults() throws {
        let cluster = try EmbeddedPostgres(
            dataDirectory: "/tmp/unused", settings: ["wal_init_zero": "on", "fsync": "off"], logger: Logger(label: "test"))
        #expect(cluster.settings == ["wal_init_zero": "on", "fsync": "off", "autovacuum_naptime": "10s", "jit": "off"])
        let plain = try EmbeddedPostgres(dataDirectory: "/tmp/unused", logger: Logger(label: "test"))
        #expect(plain.settings == EmbeddedPostgres.defaultSettings)
    }
}
