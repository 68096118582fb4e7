import Foundation
import ProvenanceCore

/// `provenance bench openlineage`: OpenLineage events posted to `POST /api/v1/lineage` by concurrent clients, one
/// event a request and in batches, against `executions:record` of a record of like size in the same run; then the
/// Marquez-shaped lineage read at depth 20 on a graph of 100,000 datasets, against the same read at depth 1.
public struct OpenLineageBenchmark: Sendable {
    /// The server's base URL.
    public var serverURL: String
    /// The embedded cluster's data directory when the server runs on one here, to report the database's CPU time.
    public var clusterDataDirectory: String?
    /// Events sent one a request.
    public var events = 20_000
    /// Concurrent clients.
    public var clients = 8
    /// Events a batch request carries.
    public var batchSize = 100
    /// Events sent in batches.
    public var batchedEvents = 40_000
    /// Pipelines of the read graph, and datasets in each.
    public var chains = 1_000
    public var chainLength = 100
    /// Timed lineage reads.
    public var reads = 200

    static let ingestTarget = 5_000.0
    static let readTarget = 0.020

    /// Creates a benchmark with default sizes.
    public init(serverURL: String) {
        self.serverURL = serverURL
    }

    /// Runs every phase and prints the report through `report`.
    public func run(report: (String) -> Void) async throws {
        try await BenchClient.with(baseURL: serverURL, connections: clients) { try await run($0, report: report) }
    }

    private func run(_ client: BenchClient, report: (String) -> Void) async throws {
        let namespace = "bench-ol-\(Int(Date().timeIntervalSince1970))"
        report("provenance bench openlineage: server \(serverURL), OpenLineage namespace \(namespace)")
        report("one event = COMPLETE of a run, 2 input tables and 1 output, schema facets, parent and nominal time\n")
        let cluster = ClusterCPU(dataDirectory: clusterDataDirectory)
        var next = 0
        func bodies(_ count: Int, batch: Int) -> [[UInt8]] {
            defer { next += count }
            return stride(from: next, to: next + count, by: batch).map { start in
                let events = (start..<min(start + batch, next + count)).map {
                    OpenLineageWorkload.completeEvent($0, namespace: namespace)
                }
                return JSONWriter.bytes(batch == 1 ? events[0] : .array(events))
            }
        }
        _ = try await client.timedPosts("/api/v1/lineage", bodies(500, batch: 1), clients: clients, cluster: nil)
        var single = try await client.timedPosts("/api/v1/lineage", bodies(events, batch: 1), clients: clients, cluster: cluster)
        single.unit = "event"
        report(single.line("POST /api/v1/lineage, 1 event/request, \(clients) clients (\(events))"))
        var batched = try await client.timedPosts(
            "/api/v1/lineage", bodies(batchedEvents, batch: batchSize), clients: clients, recordsPerOperation: batchSize,
            cluster: cluster)
        batched.unit = "event"
        report(batched.line("POST /api/v1/lineage, \(batchSize) events/request, \(clients) clients (\(batchedEvents))"))

        let recordNamespace = try await client.createNamespace("bench-ol-record", description: "provenance bench openlineage")
        let types = try await IngestWorkload.setUp(client, namespace: recordNamespace)
        let recordPath = "/api/v1/namespaces/\(recordNamespace)/executions:record"
        _ = try await client.timedPosts(
            recordPath, (0..<500).map { IngestWorkload.executionRecord($0, types) }, clients: clients,
            cluster: nil)
        let records = try await client.timedPosts(
            recordPath, (500..<(500 + events)).map { IngestWorkload.executionRecord($0, types) },
            clients: clients, cluster: cluster)
        report(records.line("baseline: executions:record, \(clients) clients (\(events))"))

        report("\nbuilding the read graph: \(chains) pipelines x \(chainLength) datasets, as batched events")
        let graphNamespace = namespace + "-graph"
        let graph = OpenLineageWorkload.chainGraph(
            namespace: graphNamespace, chains: chains, length: chainLength, batchSize: 500)
        let built = try await client.timedPosts("/api/v1/lineage", graph, clients: 4, recordsPerOperation: 500, cluster: nil)
        report("  \(chains * (chainLength - 1)) events in \(twoDecimals(built.elapsed)) s")
        func readPaths(depth: Int) -> [String] {
            (0..<reads).map { index in
                let chain = (index * 7919) % chains
                let node = "dataset:s3://lake:c\(chain)/d\(chainLength / 2)"
                return "/api/v1/lineage?nodeId=\(node.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? node)&depth=\(depth)"
            }
        }
        let sample = try await client.send(.GET, readPaths(depth: 20)[0])
        let nodes = sample["graph"]?.arrayValue?.count ?? 0
        _ = try await timedGets(client, readPaths(depth: 20).prefix(20).map { $0 })
        let deep = try await timedGets(client, readPaths(depth: 20))
        report(deep.line("GET /api/v1/lineage depth 20 (\(nodes) nodes an answer)"))
        let shallow = try await timedGets(client, readPaths(depth: 1))
        report(shallow.line("baseline: the same read at depth 1 (5 nodes)"))

        report("")
        report("OpenLineage events against executions:record in this run (records of like size):")
        report("  1 event/request: \(ratio(single.recordsPerSecond, records.recordsPerSecond))")
        report("  \(batchSize) events/request: \(ratio(batched.recordsPerSecond, records.recordsPerSecond))")
        report("lineage read at depth 20 against depth 1: p50 \(ratio(deep.percentile(0.5), shallow.percentile(0.5)))")
        report("")
        report("targets:")
        report(targetLine("\(clients) clients, 1 event/request >= 5,000 events/s", single.recordsPerSecond >= Self.ingestTarget))
        report(targetLine("\(clients) clients, batched >= 5,000 events/s", batched.recordsPerSecond >= Self.ingestTarget))
        report(targetLine("lineage read depth 20 on \(chains * chainLength) datasets p95 <= 20 ms", deep.percentile(0.95) <= Self.readTarget))
    }

    /// GETs `paths` one after another, timed.
    private func timedGets(_ client: BenchClient, _ paths: [String]) async throws -> LatencySummary {
        var latencies: [Double] = []
        let start = ContinuousClock.now
        for path in paths {
            latencies.append(try await measure { _ = try await client.successful((.GET, path, nil)) })
        }
        var summary = LatencySummary(latencies: latencies, elapsed: (ContinuousClock.now - start).seconds)
        summary.unit = "read"
        return summary
    }

    private func ratio(_ ours: Double, _ baseline: Double) -> String {
        guard baseline > 0 else { return "?" }
        return "\(twoDecimals(ours / baseline))x (\(twoDecimals(ours)) vs \(twoDecimals(baseline)))"
    }
}
