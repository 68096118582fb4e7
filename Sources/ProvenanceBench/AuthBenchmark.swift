import Foundation
import ProvenanceCore

/// `provenance bench auth`: what authentication costs `executions:record` with concurrent clients, and how fast
/// `/metrics` answers with every series populated. Run it against a fresh server that has no token yet: the first
/// phases run open (no credential checked), then the benchmark makes an admin token (which switches authentication
/// on for good) and runs the same phases with it, so both figures come from the same server in the same run.
///
/// A store grows as it is written, which slows later phases a little: the open phases run twice, and the change
/// between them (the drift) is printed beside the ratio, which compares the phases on either side of the switch.
public struct AuthBenchmark: Sendable {
    public var serverURL: String
    /// Records per phase, written by `clients` concurrent clients together.
    public var records = 8000
    public var clients = 16
    /// Timed `GET /metrics` requests.
    public var metricsRequests = 200
    public var warmupRecords = 500

    /// The issue's limits: authentication costs at most 5% of throughput; /metrics answers within 20 ms.
    static let overheadTarget = 0.05
    static let metricsTarget = 0.020

    public init(serverURL: String) {
        self.serverURL = serverURL
    }

    public func run(report: (String) -> Void) async throws {
        var namespace = ""
        var types: IngestTypes?
        var next = 0
        func bodies(_ count: Int) -> [[UInt8]] {
            defer { next += count }
            let types = types!
            return (next..<(next + count)).map { IngestWorkload.executionRecord($0, types) }
        }
        var open: [LatencySummary] = []
        var token = ""
        try await BenchClient.with(baseURL: serverURL, connections: clients) { client in
            let whoami = try await client.send(.GET, "/api/v1/whoami")
            guard case .string("open")? = whoami["source"] else {
                throw BenchError("the server already requires tokens; run this against a fresh server (scripts/bench.sh auth)")
            }
            namespace = try await client.createNamespace("bench-auth", description: "provenance bench auth")
            types = try await IngestWorkload.setUp(client, namespace: namespace)
            report("provenance bench auth: server \(serverURL), namespace \(namespace), \(clients) clients, \(records) records a phase\n")
            let path = "/api/v1/namespaces/\(namespace)/executions:record"
            _ = try await client.timedPosts(path, bodies(warmupRecords), clients: clients, cluster: nil)
            for round in 1...2 {
                let summary = try await client.timedPosts(path, bodies(records), clients: clients, cluster: nil)
                report(summary.line("executions:record, no authentication, round \(round)"))
                open.append(summary)
            }
            let made = try await client.send(
                .POST, "/api/v1/tokens", json: ["name": "bench-auth", "role": "admin", "namespaces": ["*"]])
            guard case .string(let secret)? = made["token"] else { throw BenchError("no token in \(made)") }
            token = secret
        }
        var authenticated: [LatencySummary] = []
        var metrics: [Double] = []
        var series = 0
        try await BenchClient.with(baseURL: serverURL, connections: clients, token: token) { client in
            var refused = 0
            try await BenchClient.with(baseURL: serverURL, connections: 1) { anonymous in
                refused = try await anonymous.raw(.GET, "/api/v1/namespaces/\(namespace)/artifacts", body: nil).0
            }
            guard refused == 401 else { throw BenchError("after the first token, a request without one got \(refused), not 401") }
            let path = "/api/v1/namespaces/\(namespace)/executions:record"
            for round in 1...2 {
                let summary = try await client.timedPosts(path, bodies(records), clients: clients, cluster: nil)
                report(summary.line("executions:record, API token, round \(round)"))
                authenticated.append(summary)
            }
            let exposition = try await client.successful((.GET, "/metrics", nil))
            series = String(decoding: exposition, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }.count
            for _ in 0..<metricsRequests {
                metrics.append(try await measure { _ = try await client.successful((.GET, "/metrics", nil)) })
            }
        }
        let drift = open[1].recordsPerSecond / open[0].recordsPerSecond - 1
        let overhead = 1 - authenticated[0].recordsPerSecond / open[1].recordsPerSecond
        let overheadBoth = 1 - (authenticated[0].recordsPerSecond + authenticated[1].recordsPerSecond)
            / (open[0].recordsPerSecond + open[1].recordsPerSecond)
        metrics.sort()
        let metricsSummary = LatencySummary(latencies: metrics, elapsed: metrics.reduce(0, +), recordsPerOperation: 1)
        report(metricsSummary.line("GET /metrics, \(series) series"))
        report("")
        report("authentication's cost to executions:record with \(clients) clients (the same server, the same run):")
        report("  token round 1 vs open round 2 (adjacent phases):  \(slower(overhead))")
        report("  both token rounds vs both open rounds:            \(slower(overheadBoth))")
        report("  drift between the two open rounds (store growth): \(slower(-drift))")
        report("")
        report("targets:")
        report(targetLine("authentication costs <= 5% of executions:record throughput", overhead <= Self.overheadTarget))
        report(targetLine("/metrics with every series p50 <= 20 ms", metricsSummary.percentile(0.5) <= Self.metricsTarget))
        report(targetLine("/metrics with every series p99 <= 20 ms", metricsSummary.percentile(0.99) <= Self.metricsTarget))
    }

    /// "3.1% slower" for a positive fraction, "2.2% faster" for a negative one.
    private func slower(_ fraction: Double) -> String {
        String(format: "%.1f%%", abs(fraction) * 100) + (fraction < 0 ? " faster" : " slower")
    }
}
