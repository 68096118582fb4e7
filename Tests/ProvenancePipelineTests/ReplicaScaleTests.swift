import Foundation
import ProvenanceClient
import ProvenanceCore
import ProvenanceServer
import ProvenanceTestSupport
import Testing

/// Three server replicas on one database, 50 executor slots in five real `provenance executor` processes spread
/// over them, and one run of 2,000 tasks; one executor is killed midway. No task is lost and none runs twice but
/// as a recorded attempt. A token revoked on one replica is refused by the others within 5 s.
@Suite struct ReplicaScaleTests {
    static let steps = 2_000

    @Test func threeReplicasRunTwoThousandTasksOnFiftySlotsExactlyOnce() async throws {
        let directory = TestCluster.scratchDirectory("replicas/\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let journal = directory + "/journal"
        try await withTestReplicas(3, configure: { config in
            config.leaseDuration = .seconds(4)
            config.databaseConnections = TestCluster.connectionsPerServer
            config.connectionWait = TestCluster.connectionWait
        }) { servers in
            // No token exists yet, so the first request is open: it makes the admin token.
            let open = ProvenanceClient(baseURL: "http://127.0.0.1:\(servers[0].port)")
            func token(_ role: String, _ name: String, via client: ProvenanceClient) async throws -> String {
                let made = try await client.post("/api/v1/tokens", json: [
                    "name": .string(name), "role": .string(role), "namespaces": ["*"],
                ])
                return try #require(made.string("token"))
            }
            let admin = try await token("admin", "admin", via: open)
            try await open.shutdown()
            let clients = servers.map { ProvenanceClient(baseURL: "http://127.0.0.1:\($0.port)", token: admin) }
            defer { for client in clients { Task { try? await client.shutdown() } } }
            let executorToken = try await token("executor", "fleet", via: clients[1])

            // A token revoked on one replica is refused on the others within 5 s.
            let reader = try await token("reader", "to-revoke", via: clients[0])
            for server in servers { #expect(try await server.with(token: reader).api(.GET, "/artifacts").status == 200) }
            let listed = try await clients[0].get("/api/v1/tokens")
            let readerID = try #require(listed.array("tokens").first { $0.string("name") == "to-revoke" }).int("id")
            _ = try await clients[0].post("/api/v1/tokens/\(readerID):revoke", json: [:])
            for server in servers[1...] {
                try await eventually("the revoked token to be refused by replica \(server.port)", limit: .seconds(5)) {
                    try await server.with(token: reader).api(.GET, "/artifacts").status == 401
                }
            }

            let write = TestComponents.all.components(separatedBy: "\n---\n")[0]
            _ = try await clients[0].registerComponent(document: Array(write.utf8), contentType: "application/yaml")
            var pipeline = "name: wide\nsteps:\n"
            for step in 0..<Self.steps {
                pipeline += "  s\(step): {component: write@1, parameters: {journal: \"\(journal)\", text: \"s\(step)\"}}\n"
            }
            _ = try await clients[0].applyPipeline(document: Array(pipeline.utf8), contentType: "application/yaml")
            let run = try await clients[2].submitRun(RunRequest(pipeline: "wide", cache: false))

            var executors: [ProvenanceProcess] = []
            for index in 0..<5 {
                let port = servers[index % servers.count].port
                executors.append(try ProvenanceProcess.executor(
                    port: port, directory: directory + "/executor-\(index)", arguments: ["--slots", "10", "--name", "e\(index)"],
                    token: executorToken))
            }
            defer { for executor in executors { Task { await executor.stop() } } }
            func succeeded() async throws -> Int {
                let summary = try await clients[index(of: run.id)].get(clients[0].namespaced("/runs/\(run.id.rawValue)"))
                return Int(summary["task_counts"]?.int("SUCCEEDED") ?? 0)
            }
            try await eventually("a quarter of the tasks to succeed", limit: .seconds(300)) { try await succeeded() >= Self.steps / 4 }
            executors[0].send(SIGKILL)
            let final = try await ended(run.id, clients[1])
            #expect(final.string("state") == "SUCCEEDED", "\(final)")

            // Every task succeeded once; every time a step ran is an attempt the run records, and no attempt ran twice.
            let tasks = try await clients[0].get(clients[0].namespaced("/runs/\(run.id.rawValue)/tasks")).array("tasks")
            #expect(tasks.count == Self.steps)
            var attempts: [String: String] = [:]
            for task in tasks {
                #expect(task.string("state") == "SUCCEEDED")
                let states = task.array("attempts").map { $0.string("state") ?? "" }
                #expect(states.filter { $0 == "SUCCEEDED" }.count == 1, "\(task)")
                for attempt in task.array("attempts") {
                    attempts["\(task.int("id")).\(attempt.int("number"))"] = attempt.string("state")
                }
            }
            let ran = (try String(contentsOfFile: journal, encoding: .utf8)).split(separator: "\n").map(String.init)
            #expect(Set(ran).count == ran.count, "an attempt ran twice")
            #expect(Set(ran).isSubset(of: Set(attempts.keys)), "a step ran without an attempt recorded for it")
            let succeededRuns = attempts.filter { $0.value == "SUCCEEDED" }.keys
            #expect(Set(succeededRuns).isSubset(of: Set(ran)), "a succeeded attempt whose step never ran")
            print("3 replicas, 50 slots, \(Self.steps) tasks: \(attempts.count) attempts (\(attempts.count - Self.steps) after the killed executor's leases expired), \(ran.count) step executions")
        }
    }

    /// Which client asks about run `id` (any replica answers; spreading the polls spreads the load).
    private func index(of id: RunID) -> Int { Int(id.rawValue % 3) }

    /// The run's summary once it has ended.
    private func ended(_ id: RunID, _ client: ProvenanceClient) async throws -> JSON {
        var summary: JSON = .null
        try await eventually("run \(id.rawValue) to end", limit: .seconds(600)) {
            summary = try await client.get(client.namespaced("/runs/\(id.rawValue)"))
            return ["SUCCEEDED", "FAILED", "CANCELED"].contains(summary.string("state") ?? "")
        }
        return summary
    }
}
