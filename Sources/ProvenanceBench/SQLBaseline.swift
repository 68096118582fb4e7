import Logging
import ProvenanceCore
import ProvenanceStore

/// The benchmark's baseline phases: the same records as the server's phases, written by `IngestBaseline` (one
/// prepared statement per request, straight to PostgreSQL through the same driver) from as many connections as the
/// server's phase had clients.
struct SQLBaseline {
    let baseline: IngestBaseline
    let logger: Logger

    static func connect(
        _ endpoint: DatabaseEndpoint, namespace: String, types: IngestTypes, connections: Int, logger: Logger
    ) async throws -> SQLBaseline {
        let baseline = try await IngestBaseline.connect(
            endpoint, namespace: namespace,
            types: .init(dataset: types.dataset, model: types.model, trainer: types.trainer, run: types.run),
            connections: connections, logger: logger)
        return SQLBaseline(baseline: baseline, logger: logger)
    }

    func close() async {
        await baseline.close()
    }

    /// Writes `records`, `batchSize` records per statement, from `lanes` connections at once (each taking every
    /// `lanes`-th batch), returning one latency per statement and the database's CPU time when `cluster` is known.
    func write(_ records: Range<Int>, batchSize: Int, lanes: Int = 1, cluster: ClusterCPU? = nil) async throws
        -> LatencySummary
    {
        let batches = stride(from: records.lowerBound, to: records.upperBound, by: batchSize).map {
            $0..<min($0 + batchSize, records.upperBound)
        }
        var latencies: [Double] = []
        let (elapsed, cpu) = try await PhaseCPU.measure(cluster: cluster, serverSeconds: { nil }) {
            try await withThrowingTaskGroup(of: [Double].self) { group in
                for lane in 0..<lanes {
                    group.addTask { [baseline] in
                        var mine: [Double] = []
                        for index in stride(from: lane, to: batches.count, by: lanes) {
                            mine.append(try await measure { try await baseline.write(batches[index], lane: lane) })
                        }
                        return mine
                    }
                }
                for try await lane in group { latencies += lane }
            }
        }
        var summary = LatencySummary(latencies: latencies, elapsed: elapsed, recordsPerOperation: batchSize)
        summary.cpu = cpu
        return summary
    }
}
