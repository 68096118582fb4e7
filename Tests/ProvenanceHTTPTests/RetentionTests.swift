import Foundation
import ProvenanceCore
import ProvenanceServer
import ProvenanceTestSupport
import Testing

/// Retention: finished runs, task logs and earlier attempts go once older than their limits, on servers with two
/// replicas (each runs the sweeper; they take turns), and the lineage the runs recorded stays.
@Suite struct RetentionTests {
    static let flaky: JSON = [
        "name": "flaky", "version": "1", "outputs": ["data": "Dataset"],
        "run": ["command": ["flaky", "{{outputs.data.uri}}"]], "retries": ["max_attempts": 2, "backoff": "100ms"],
    ]

    /// Runs the one-step pipeline `pipeline` through its attempts by hand: each but the last fails, each writes a
    /// log line first. Returns the run's and the task's ids, and the execution of the last attempt.
    static func finishRun(_ server: TestServer, pipeline: String, failures: Int) async throws
        -> (run: Int64, task: Int64, execution: Int64)
    {
        let run = try await server.api(.POST, "/runs", json: ["pipeline": .string(pipeline)])
        #expect(run.status == 201, "\(run.text)")
        var execution: Int64 = 0
        var task: Int64 = 0
        for attempt in 0...failures {
            let lease = try #require(try await leaseOneTask(server).json.array("leases").first, "attempt \(attempt + 1)")
            execution = try #require(lease["execution_id"]).intValue
            task = try #require(lease["task_id"]).intValue
            let line: JSON = ["token": lease["token"] ?? .null, "lines": [["stream": "stdout", "text": .string("attempt \(attempt + 1)")]]]
            #expect(try await server.request(.POST, "/api/v1/leases:logs", json: line).status == 204)
            let report: JSON =
                attempt < failures
                ? ["token": lease["token"] ?? .null, "error": "flaked"]
                : ["token": lease["token"] ?? .null, "outputs": ["data": ["uri": "/tmp/data"]]]
            let done = try await server.request(.POST, attempt < failures ? "/api/v1/leases:fail" : "/api/v1/leases:complete", json: report)
            #expect(done.status == 200, "\(done.text)")
        }
        return (run.json.int("id"), task, execution)
    }

    static func replicas(
        _ configure: @escaping (inout ServerConfiguration) -> Void, _ body: (TestServer, TestServer) async throws -> Void
    ) async throws {
        try await withTestReplicas(2, configure: { config in
            config.retentionInterval = .milliseconds(200)
            configure(&config)
        }) { servers in
            #expect(try await servers[0].api(.POST, "/components", json: flaky).status == 201)
            #expect(try await servers[0].api(.POST, "/pipelines", json: ["name": "p", "steps": ["s": ["component": "flaky@1"]]]).status == 201)
            try await body(servers[0], servers[1])
        }
    }

    @Test func earlierAttemptsGoAndTheLastStays() async throws {
        try await Self.replicas({ $0.retainAttempts = .seconds(1) }) { server, other in
            let (_, task, _) = try await Self.finishRun(server, pipeline: "p", failures: 1)
            try await eventually("the first attempt to go") {
                try await other.api(.GET, "/tasks/\(task)").json.array("attempts").map { $0.int("number") } == [2]
            }
            #expect(try await other.api(.GET, "/tasks/\(task)/logs?attempt=1").json.array("lines").isEmpty)
            #expect(try await other.api(.GET, "/tasks/\(task)/logs?attempt=2").json.array("lines").count == 1)
            #expect(try await other.api(.GET, "/tasks/\(task)").json.string("state") == "SUCCEEDED")
        }
    }

    @Test func taskLogsGoAndTheRunStays() async throws {
        try await Self.replicas({ $0.retainTaskLogs = .seconds(1) }) { server, other in
            let (run, task, _) = try await Self.finishRun(server, pipeline: "p", failures: 0)
            try await eventually("the log lines to go") {
                try await other.api(.GET, "/tasks/\(task)/logs").json.array("lines").isEmpty
            }
            #expect(try await other.api(.GET, "/runs/\(run)").json.string("state") == "SUCCEEDED")
        }
    }

    @Test func finishedRunsGoAndTheirLineageStays() async throws {
        try await Self.replicas({ $0.retainRuns = .seconds(1) }) { server, other in
            let (run, task, execution) = try await Self.finishRun(server, pipeline: "p", failures: 0)
            // A run still going (no executor takes its task) is kept however old.
            let unfinished = try await server.api(.POST, "/runs", json: ["pipeline": "p", "cache": false])
            try await eventually("the finished run to go") { try await other.api(.GET, "/runs/\(run)").status == 404 }
            #expect(try await other.api(.GET, "/tasks/\(task)").status == 404)
            #expect(try await other.api(.GET, "/executions/\(execution)").status == 200)
            let events = try await other.api(.GET, "/executions/\(execution)/events").json.array("events")
            let output = try #require(events.first { $0.string("type") == "OUTPUT" }).int("artifact_id")
            let provenance = try await other.api(.GET, "/artifacts/\(output)/provenance")
            #expect(provenance.json.array("producers").map { $0.int("id") } == [execution], "\(provenance.text)")
            #expect(try await other.api(.GET, "/runs/\(unfinished.json.int("id"))").status == 200)
        }
    }

    @Test func openLineageEventsGoAndWhatTheyWroteStaysWithoutDuplicatesOnReplay() async throws {
        try await Self.replicas({ $0.retainOpenLineageEvents = .seconds(1) }) { server, other in
            let event = OpenLineageFixtures.runEvent(
                "COMPLETE", runID: OpenLineageFixtures.runID(1),
                inputs: [OpenLineageFixtures.dataset("s3://lake", "raw")])
            #expect(try await server.request(.POST, "/api/v1/lineage", json: event).json.int("written") == 1)
            // Once the kept event is gone, the same event is written again (before, it is a replay: OpenLineageTests),
            // and it maps onto what it wrote before.
            try await eventually("the kept event to go") {
                try await other.request(.POST, "/api/v1/lineage", json: event).json.int("written") == 1
            }
            let executions = try await other.request(.GET, "/api/v1/namespaces/airflow-prod/executions")
            #expect(executions.json.array("executions").count == 1)
            let id = executions.json.array("executions")[0].int("id")
            let events = try await other.request(.GET, "/api/v1/namespaces/airflow-prod/executions/\(id)/events")
            #expect(events.json.array("events").count == 1)
        }
    }
}
