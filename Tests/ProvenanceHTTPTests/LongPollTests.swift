import Synchronization
import ProvenanceCore
import ProvenanceTestSupport
import Testing

/// Executors' long polls over HTTP (`executors/{id}:lease` with `wait_ms`).
@Suite struct LongPollTests {
    static let capacity: JSON = ["slots": 1, "cpu": 1, "memory_mb": 1024]

    /// A poll whose client hung up while it waited is leased nothing: a task leased to it would wait out the whole
    /// lease before anyone ran it. Clients hang up while their polls wait, tasks are queued, and an executor that
    /// stayed gets every one of them, each at its first attempt.
    @Test func aPollWhoseClientHungUpIsLeasedNothing() async throws {
        try await withTestServer { server in
            #expect(try await server.api(.POST, "/components", json: [
                "name": "noop", "version": "1", "run": ["command": ["true"]],
            ]).status == 201)
            #expect(try await server.api(.POST, "/pipelines", json: ["name": "one", "steps": ["only": ["component": "noop@1"]]]).status == 201)
            let gone = try await server.request(.POST, "/api/v1/executors", json: ["name": "gone", "capacity": Self.capacity])
            let body = JSONWriter.string(["available": Self.capacity, "max_tasks": 1, "wait_ms": 60_000])
            let poll = "POST /api/v1/executors/\(gone.json.int("id")):lease HTTP/1.1\r\nHost: test\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            let polls = 8
            let hangUp = Signal()
            var runs: [Int64] = []
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<polls {
                    group.addTask {
                        try await withRawConnection(port: server.port) { connection in
                            try await connection.send(poll)
                            while !hangUp.raised.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
                        }
                    }
                }
                try await eventually("the polls to wait") { try await waitingExecutors(server) == polls }
                hangUp.raised.withLock { $0 = true }
                try await group.waitForAll()
            }
            // Once the server has seen them go, tasks are queued. (A client that hangs up in the instant its lease
            // is granted may still lose it; the server gives back what it sees was not delivered, and a lease
            // nobody renews expires.)
            try await eventually("the server to see the clients go") { try await waitingExecutors(server) == 0 }
            for _ in 0..<polls {
                runs.append(try await server.api(.POST, "/runs", json: ["pipeline": "one", "cache": false]).json.int("id"))
            }
            let stayed = try await server.request(.POST, "/api/v1/executors", json: ["name": "stayed", "capacity": Self.capacity])
            for _ in 0..<polls {
                let reply = try await server.request(.POST, "/api/v1/executors/\(stayed.json.int("id")):lease", json: [
                    "available": Self.capacity, "max_tasks": 1, "wait_ms": 30_000,
                ])
                let lease = try #require(reply.json.array("leases").first, "a task went to a client that had gone")
                #expect(lease.int("attempt") == 1)
                let done = try await server.request(.POST, "/api/v1/leases:complete", json: ["token": lease["token"] ?? .null, "outputs": [:]])
                #expect(done.status == 200)
            }
            for id in runs {
                let run = try await server.api(.GET, "/runs/\(id)").json
                #expect(run.string("state") == "SUCCEEDED")
                #expect(run.array("tasks").first?.array("attempts").map { $0["executor"]?.string("name") } == ["stayed"])
            }
        }
    }

    /// Tells the polls' connections to hang up.
    private final class Signal: Sendable {
        let raised = Mutex(false)
    }

    /// The executors waiting in a long poll, as `/metrics` says.
    private func waitingExecutors(_ server: TestServer) async throws -> Int {
        let metrics = try await server.request(.GET, "/metrics").text
        return ObservabilityTests.value(metrics, "provenance_executors_waiting").map { Int($0) } ?? -1
    }
}
