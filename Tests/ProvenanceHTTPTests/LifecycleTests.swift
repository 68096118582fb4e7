import Foundation
import Logging
import ProvenanceCore
import ProvenanceServer
import ProvenanceStore
import ProvenanceTestSupport
import Testing

/// The server on its own embedded cluster: data survives a restart, and a database outage is a 503 that heals
/// without restarting the server.
@Suite struct LifecycleTests {
    @Test func embeddedClusterKeepsDataAcrossRestartsAndOutagesAre503UntilItReturns() async throws {
        let directory = TestCluster.scratchDirectory("lifecycle-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(atPath: directory)
        let embedded = Self.embeddedCluster(in: directory)
        try await withTestServer(configure: embedded) { server in
            try await createPipelineTypes(server)
            #expect(try await server.api(.POST, "/executions:record", json: trainingRecord()).status == 201)
        }
        try await withTestServer(configure: embedded) { server in
            #expect(try await server.api(.GET, "/artifacts").json.array("artifacts").count == 2, "data survived the restart")

            let cluster = try EmbeddedPostgres(dataDirectory: directory, settings: TestCluster.settings, logger: Logger(label: "test"))
            try cluster.stop()
            let down = try await server.api(.GET, "/artifacts")
            #expect(down.status == 503)
            #expect(down.errorCode == "unavailable")
            let ready = try await server.request(.GET, "/readyz")
            #expect(ready.status == 503)
            #expect(ready.json["database"] == "unreachable", "an outage is told apart from a busy pool: \(ready.json)")
            #expect(try await server.request(.GET, "/healthz").status == 200)

            try await cluster.start()
            var status = 0
            for _ in 0..<200 where status != 200 {
                status = try await server.api(.GET, "/artifacts").status
                if status != 200 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(status == 200, "requests succeed again once the database is back")
        }
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: directory + ".lock")
    }

    @Test func aSecondServerOnTheSameDataDirectoryIsRefusedAndTheFirstKeepsItsDatabase() async throws {
        let directory = TestCluster.scratchDirectory("shared-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(atPath: directory)
        let embedded = Self.embeddedCluster(in: directory)
        try await withTestServer(configure: embedded) { server in
            var second = ServerConfiguration(httpPort: 0, grpcPort: 0, logLevel: .warning)
            embedded(&second)
            await #expect {
                _ = try await buildServer(config: second, handleSignals: false)
            } throws: { error in
                (error as? ProvenanceError)?.message.contains("in use by another provenance server") ?? false
            }
            let status = try await server.api(.GET, "/artifacts").status
            #expect(status == 200, "the first server still has its database")
            #expect(FileManager.default.fileExists(atPath: directory + ".lock"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory + ".lock"), "a clean stop removes the lock file")
        // Once the first has stopped, the directory is free again.
        try await withTestServer(configure: embedded) { server in
            let status = try await server.api(.GET, "/artifacts").status
            #expect(status == 200)
        }
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: directory + ".lock")
    }

    @Test func metricsReportCPUTimeMemoryAndReachability() async throws {
        try await withTestServer { server in
            let reply = try await server.request(.GET, "/metrics")
            #expect(reply.status == 200)
            var values: [String: Double] = [:]
            for line in reply.text.split(separator: "\n") where !line.hasPrefix("#") {
                let fields = line.split(separator: " ")
                if fields.count == 2, let value = Double(fields[1]) { values[String(fields[0])] = value }
            }
            #expect((values["process_cpu_seconds_total"] ?? 0) > 0)
            #expect((values["process_resident_memory_bytes"] ?? 0) > 1_000_000)
            #expect(values["provenance_database_reachable"] == 1)
            #expect(values["provenance_database_connections_size"] == Double(TestCluster.connectionsPerServer))
            #expect(values["provenance_database_connections_in_use"] != nil)
            #expect(reply.text.contains("# TYPE process_cpu_seconds_total counter"))
        }
    }

    /// Configures a server on its own embedded cluster in `directory` (instead of the run's shared cluster).
    static func embeddedCluster(in directory: String) -> (inout ServerConfiguration) -> Void {
        { config in
            config.databaseURL = nil
            config.dataDirectory = directory
            config.embeddedSettings = TestCluster.settings
        }
    }
}
