import Foundation
import Logging
import ProvenanceCore
import ProvenanceStore

/// `provenance bench ingest`: the write paths against a running server, with the same records written straight to
/// PostgreSQL (one prepared statement each, see `IngestBaseline`) as the baseline in the same run, and the server's
/// idle memory.
public struct IngestBenchmark: Sendable {
    /// The server's base URL.
    public var serverURL: String
    /// The server's database, for the SQL baseline.
    public var database: DatabaseEndpoint
    /// The embedded cluster's data directory when the server runs on one here, to report the database's CPU time.
    public var clusterDataDirectory: String?
    /// Records written serially, one `executions:record` at a time.
    public var serialRecords = 2000
    /// Records written by the concurrent clients together.
    public var concurrentRecords = 8000
    /// Concurrent clients.
    public var clients = 16
    /// Records per `lineage:record` request.
    public var batchSize = 100
    /// `lineage:record` requests.
    public var batches = 100
    /// The most concurrent `lineage:record` clients: the lineage phases run with 1, 2, ... up to this many, and the
    /// best throughput is the figure checked against the target.
    public var lineageClients = 4
    /// Untimed records written first, so connections, caches and the JIT-free paths are warm.
    public var warmupRecords = 300

    /// The targets of issue #2, printed next to the figures.
    static let serialP50Target = 0.002
    static let concurrentTarget = 2000.0
    static let lineageTarget = 15000.0
    static let idleMemoryTarget = 60 * 1024 * 1024

    /// Creates a benchmark with default sizes.
    public init(serverURL: String, database: DatabaseEndpoint) {
        self.serverURL = serverURL
        self.database = database
    }

    /// Runs every phase and prints the report through `report`.
    public func run(report: (String) -> Void) async throws {
        try await BenchClient.with(baseURL: serverURL, connections: clients) { try await run($0, report: report) }
    }

    private func run(_ client: BenchClient, report: (String) -> Void) async throws {
        let idleBefore = try await client.serverResidentBytes()
        let namespace = try await client.createNamespace("bench", description: "provenance bench ingest")
        let types = try await IngestWorkload.setUp(client, namespace: namespace)
        let base = "/api/v1/namespaces/\(namespace)"
        report("provenance bench ingest: server \(serverURL), namespace \(namespace), database \(database)")
        report("one record = 1 execution, 1 new input + 1 new output artifact, 2 events, 1 new context, 3 links\n")

        var next = 0
        func take(_ count: Int) -> Range<Int> {
            defer { next += count }
            return next..<(next + count)
        }
        let recordPath = base + "/executions:record"
        _ = try await post(client, recordPath, take(warmupRecords).map { IngestWorkload.executionRecord($0, types) })
        let serialSummary = try await post(
            client, recordPath, take(serialRecords).map { IngestWorkload.executionRecord($0, types) })
        report(serialSummary.line("executions:record, 1 client (\(serialRecords))"))
        let concurrentSummary = try await post(
            client, recordPath, take(concurrentRecords).map { IngestWorkload.executionRecord($0, types) }, clients: clients)
        report(concurrentSummary.line("executions:record, \(clients) clients (\(concurrentRecords))"))
        let lineagePath = base + "/lineage:record"
        _ = try await post(client, lineagePath, [IngestWorkload.lineageRecord(take(batchSize), types)])
        var lineageSummaries: [LatencySummary] = []
        for lanes in 1...max(lineageClients, 1) {
            let bodies = (0..<batches).map { _ in IngestWorkload.lineageRecord(take(batchSize), types) }
            let summary = try await post(client, lineagePath, bodies, clients: lanes, recordsPerOperation: batchSize)
            report(summary.line("lineage:record, \(batchSize) records/request, \(lanes) client\(lanes == 1 ? "" : "s")"))
            lineageSummaries.append(summary)
        }
        let lineageSummary = lineageSummaries.max { $0.recordsPerSecond < $1.recordsPerSecond }!

        let sql = try await SQLBaseline.connect(
            database, namespace: namespace, types: types, connections: max(clients, lineageClients), logger: Logger(label: "bench"))
        let cluster = ClusterCPU(dataDirectory: clusterDataDirectory)
        var sqlBatched: [LatencySummary] = []
        let (sqlSerial, sqlConcurrent): (LatencySummary, LatencySummary)
        do {
            _ = try await sql.write(take(warmupRecords), batchSize: 1, lanes: clients)
            sqlSerial = try await sql.write(take(serialRecords), batchSize: 1, cluster: cluster)
            report(sqlSerial.line("plain SQL, 1 connection, 1 record/statement"))
            sqlConcurrent = try await sql.write(take(concurrentRecords), batchSize: 1, lanes: clients, cluster: cluster)
            report(sqlConcurrent.line("plain SQL, \(clients) connections, 1 record/statement"))
            for lanes in 1...max(lineageClients, 1) {
                let summary = try await sql.write(take(batches * batchSize), batchSize: batchSize, lanes: lanes, cluster: cluster)
                report(summary.line("plain SQL, \(lanes) connection\(lanes == 1 ? "" : "s"), \(batchSize) records/statement"))
                sqlBatched.append(summary)
            }
            await sql.close()
        } catch {
            await sql.close()
            throw error
        }
        let sqlBatchedBest = sqlBatched.max { $0.recordsPerSecond < $1.recordsPerSecond }!

        try await Task.sleep(for: .seconds(3))
        let idleAfter = try await client.serverResidentBytes()
        report("")
        report("server resident memory, idle: \(megabytes(idleBefore)) before, \(megabytes(idleAfter)) after the run")
        report("")
        report("the server against the same records written straight to PostgreSQL in this run (100% = as fast):")
        report("  executions:record, 1 client, vs 1 connection:        \(percent(serialSummary, of: sqlSerial))"
            + "  (p50 \(milliseconds(serialSummary.percentile(0.5))) vs \(milliseconds(sqlSerial.percentile(0.5))))")
        report("  executions:record, \(clients) clients, vs \(clients) connections:    \(percent(concurrentSummary, of: sqlConcurrent))")
        report("  lineage:record, best of 1-\(lineageClients) clients, vs best of 1-\(lineageClients) connections: "
            + "\(percent(lineageSummary, of: sqlBatchedBest))")
        report("")
        report("targets:")
        report(targetLine("executions:record serial p50 <= 2 ms", serialSummary.percentile(0.5) <= Self.serialP50Target))
        report(targetLine("executions:record \(clients) clients >= 2,000 records/s", concurrentSummary.recordsPerSecond >= Self.concurrentTarget))
        report(targetLine("lineage:record >= 15,000 records/s (best of 1 to \(lineageClients) clients)", lineageSummary.recordsPerSecond >= Self.lineageTarget))
        report(targetLine("idle resident memory <= 60 MB", (idleAfter ?? Int.max) <= Self.idleMemoryTarget))
    }

    /// Posts `bodies` to `path` from `clients` concurrent clients, timed (see `BenchClient.timedPosts`).
    private func post(
        _ client: BenchClient, _ path: String, _ bodies: [[UInt8]], clients: Int = 1, recordsPerOperation: Int = 1
    ) async throws -> LatencySummary {
        try await client.timedPosts(
            path, bodies, clients: clients, recordsPerOperation: recordsPerOperation,
            cluster: ClusterCPU(dataDirectory: clusterDataDirectory))
    }

    /// `ours`' throughput as a percentage of `limit`'s.
    private func percent(_ ours: LatencySummary, of limit: LatencySummary) -> String {
        guard limit.recordsPerSecond > 0 else { return "?" }
        return "\(Int((ours.recordsPerSecond / limit.recordsPerSecond * 100).rounded()))% "
            + "(\(Int(ours.recordsPerSecond.rounded())) vs \(Int(limit.recordsPerSecond.rounded())) records/s)"
    }

    private func megabytes(_ bytes: Int?) -> String {
        guard let bytes else { return "unknown" }
        return "\(bytes / (1024 * 1024)) MB"
    }
}
