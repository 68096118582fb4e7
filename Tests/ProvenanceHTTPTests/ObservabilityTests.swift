import Foundation
import ProvenanceCore
import ProvenanceTestSupport
import Testing

/// What operators see: `/metrics` through swift-metrics and swift-prometheus (requests by route and status
/// class, leases by namespace, the queue and runs by state, the pool, in Prometheus' text format), and request ids.
@Suite struct ObservabilityTests {
    /// The value of the series `name{labels}` (labels written as Prometheus writes them), if present.
    static func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }

    @Test func requestsLeasesAndTheQueueAreCountedWhereTheyHappen() async throws {
        try await withTestServer { server in
            try await createOneStepPipeline(server)
            #expect(try await server.api(.POST, "/runs", json: ["pipeline": "p"]).status == 201)
            #expect(try await server.api(.GET, "/artifacts/999999").status == 404)
            let queued = try await server.request(.GET, "/metrics")
            #expect(queued.headers.first(name: "Content-Type")?.hasPrefix("text/plain") == true)
            #expect(Self.value(queued.text, #"provenance_tasks{namespace="default",state="QUEUED"}"#) == 1, "\(queued.text)")
            #expect(Self.value(queued.text, #"provenance_runs{state="PENDING"}"#) == 1)
            let route = #"route="/api/v1/namespaces/{namespace}/artifacts/{id}",method="GET""#
            #expect((Self.value(queued.text, "provenance_http_requests_total{\(route),status=\"4xx\"}") ?? 0) >= 1)
            #expect(queued.text.contains("provenance_http_request_duration_seconds_bucket{\(route),le="), "\(queued.text)")
            #expect(queued.text.contains("# TYPE provenance_http_request_duration_seconds histogram"))

            let leases = try await leaseOneTask(server)
            #expect(leases.json.array("leases").count == 1)
            let leased = try await server.request(.GET, "/metrics").text
            #expect((Self.value(leased, #"provenance_leases_granted_total{namespace="default"}"#) ?? 0) >= 1)
            #expect(Self.value(leased, #"provenance_tasks{namespace="default",state="RUNNING"}"#) == 1)
            // A series that emptied is dropped, not left at its last value.
            #expect(Self.value(leased, #"provenance_tasks{namespace="default",state="QUEUED"}"#) == nil)
            #expect(Self.value(leased, "provenance_executors_attached") == 1)
            let refused = try await server.request(.POST, "/api/v1/leases:logs", json: [
                "token": "1.9.0123456789abcdef0123456789abcdef", "lines": [["stream": "stdout", "text": "x"]],
            ])
            #expect(refused.status == 409)
            let after = try await server.request(.GET, "/metrics").text
            #expect((Self.value(after, #"provenance_lease_reports_refused_total{report="logs"}"#) ?? 0) >= 1)
        }
    }

    @Test func everyRequestHasAnIdThatGoesBackToTheClientAndWithItsLeases() async throws {
        try await withTestServer { server in
            let given = try await server.api(.GET, "/artifacts", headers: [("X-Request-ID", "trace-42.a_b")])
            #expect(given.headers.first(name: "X-Request-ID") == "trace-42.a_b")
            let made = try await server.api(.GET, "/artifacts")
            let id = try #require(made.headers.first(name: "X-Request-ID"))
            #expect(id.count == 16 && id != "trace-42.a_b")
            let unusable = try await server.api(.GET, "/artifacts", headers: [("X-Request-ID", "bad id; rm -rf")])
            #expect(unusable.headers.first(name: "X-Request-ID")?.count == 16)
            let failed = try await server.api(.GET, "/artifacts/999999", headers: [("X-Request-ID", "r-404")])
            #expect(failed.headers.first(name: "X-Request-ID") == "r-404")
            try await createOneStepPipeline(server)
            #expect(try await server.api(.POST, "/runs", json: ["pipeline": "p"]).status == 201)
            let leases = try await leaseOneTask(server, headers: [("X-Request-ID", "lease-7")])
            #expect(leases.json.array("leases").first?.string("request_id") == "lease-7")
        }
    }
}
