import Foundation
import Logging
import NIOHTTP1
import ProvenanceCore
import ProvenanceStore

/// `provenance bench lineage`: loads a realistic ML graph through `lineage:record`, then times the lineage
/// questions of issue #3 over HTTP against the running server.
public struct LineageBenchmark: Sendable {
    public var serverURL: String
    /// The server's database, to VACUUM ANALYZE after the load as autovacuum would (nil: leave it to autovacuum).
    public var database: DatabaseEndpoint?
    /// The embedded cluster's data directory when the server runs on one here, to report the database's CPU time.
    public var clusterDataDirectory: String?
    /// Artifacts to load (about as many executions, and three times as many events).
    public var artifacts = 100_000
    /// Daily runs per pipeline: the length of the model chains.
    public var runs = 100
    /// Raw datasets shared by all pipelines.
    public var rawDatasets = 10
    /// Pipelines whose runs of one day go in one request.
    public var pipelinesPerRequest = 20
    /// Concurrent loading clients.
    public var clients = 2
    /// Timed requests per question.
    public var queries = 200

    static let targets: [(String, Double, Double?)] = [
        ("provenance of a model", 0.002, 0.010), ("upstream subgraph, 100 hops", 0.005, nil),
        ("filtered list, page of 100", 0.020, nil), ("impact of a shared dataset, cap 1,000", 0.050, nil),
    ]

    public init(serverURL: String, database: DatabaseEndpoint?) {
        self.serverURL = serverURL
        self.database = database
    }

    public func run(report: (String) -> Void) async throws {
        try await BenchClient.with(baseURL: serverURL, connections: max(clients, 1)) { try await run($0, report: report) }
    }

    private func run(_ client: BenchClient, report: (String) -> Void) async throws {
        let pipelines = max(1, artifacts / (LineageGraphWorkload.artifactsPerRun * runs))
        let namespace = try await client.createNamespace("lineage", description: "provenance bench lineage")
        let base = "/api/v1/namespaces/\(namespace)"
        var workload = LineageGraphWorkload(pipelines: pipelines, runs: runs, rawDatasets: rawDatasets)
        try await workload.setUp(client, base: base)
        report("provenance bench lineage: server \(serverURL), namespace \(namespace)")
        report("graph: \(pipelines) pipelines x \(runs) daily runs, \(rawDatasets) shared raw datasets")

        let loadTime = try await measure { workload = try await load(workload, client, base: base) }
        let runCount = pipelines * runs
        let artifactCount = runCount * LineageGraphWorkload.artifactsPerRun + rawDatasets
        let executionCount = runCount * LineageGraphWorkload.executionsPerRun
        let eventCount = runCount * LineageGraphWorkload.eventsPerRun - pipelines * 2
        report("loaded \(artifactCount) artifacts, \(executionCount) executions, \(eventCount) events, \(runCount + pipelines) contexts "
            + "in \(Int(loadTime.rounded())) s (\(Int((Double(artifactCount + executionCount) / loadTime).rounded())) nodes/s)")
        if let database { try await DatabaseMaintenance.analyze(database, logger: Logger(label: "bench")) }

        var summaries: [LatencySummary] = []
        let loaded = workload
        let model = { (p: Int, day: Int) in loaded.models[p][day] }
        summaries.append(try await timed(client) { i in
            let p = i % pipelines
            return (.GET, "\(base)/artifacts/\(model(p, runs / 2 + i % (runs / 2)))/provenance", nil)
        })
        summaries.append(try await timed(client) { i in
            let p = (i * 7) % pipelines
            let body: JSON = ["starting_artifacts": ["ids": [.int(model(p, runs - 1))]], "max_num_hops": 100]
            return (.POST, "\(base)/lineage:query", JSONWriter.bytes(body))
        })
        summaries.append(try await timed(client) { i in
            let filter = "properties.accuracy.double_value > 0.9 AND contexts_a.name = '\(LineageGraphWorkload.pipelineName((i * 13) % pipelines))'"
            return (.GET, "\(base)/artifacts?page_size=100&filter=\(filter.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", nil)
        })
        summaries.append(try await timed(client) { i in
            (.GET, "\(base)/artifacts/\(loaded.rawDatasetIDs[i % rawDatasets])/impact?max_nodes=1000", nil)
        })
        report("")
        for ((label, p50, p99), summary) in zip(Self.targets, summaries) {
            report(summary.line(label))
            var target = "p50 <= \(Int(p50 * 1000)) ms"
            var met = summary.percentile(0.5) <= p50
            if let p99 {
                target += ", p99 <= \(Int(p99 * 1000)) ms"
                met = met && summary.percentile(0.99) <= p99
            }
            report("  " + targetLine(target, met))
        }
    }

    /// Loads every day of every pipeline; each client takes whole groups of pipelines, day after day (a day needs
    /// the previous day's models).
    private func load(_ workload: LineageGraphWorkload, _ client: BenchClient, base: String) async throws -> LineageGraphWorkload {
        let groups = stride(from: 0, to: workload.pipelines, by: pipelinesPerRequest).map {
            $0..<min($0 + pipelinesPerRequest, workload.pipelines)
        }
        var result = workload
        try await withThrowingTaskGroup(of: LineageGraphWorkload.self) { lanes in
            for lane in 0..<clients {
                lanes.addTask {
                    var mine = workload
                    for group in stride(from: lane, to: groups.count, by: clients).map({ groups[$0] }) {
                        for day in 0..<runs {
                            let (body, modelIndexes) = mine.runs(day: day, group: group)
                            let bytes = try await client.successful((.POST, base + "/lineage:record", body))
                            try mine.recordModels(group: group, modelIndexes: modelIndexes, answer: try JSONParser.parse(bytes))
                        }
                    }
                    return mine
                }
            }
            for try await lane in lanes {
                for p in 0..<workload.pipelines where !lane.models[p].isEmpty { result.models[p] = lane.models[p] }
            }
        }
        return result
    }

    /// Times `queries` requests, after a few untimed ones.
    private func timed(_ client: BenchClient, _ request: (Int) -> (HTTPMethod, String, [UInt8]?)) async throws -> LatencySummary {
        for i in 0..<10 { _ = try await client.successful(request(i + queries)) }
        var latencies: [Double] = []
        let (elapsed, cpu) = try await client.measureWithCPU(cluster: ClusterCPU(dataDirectory: clusterDataDirectory)) {
            for i in 0..<queries {
                let next = request(i)
                latencies.append(try await measure { _ = try await client.successful(next) })
            }
        }
        var summary = LatencySummary(latencies: latencies, elapsed: elapsed)
        summary.unit = "request"
        summary.cpu = cpu
        return summary
    }
}
