import Logging
import PostgresNIO
import ProvenanceCore
import ProvenanceStore

/// The benchmark's baseline: the same rows as an `executions:record`, written by plain SQL through one
/// connection, one statement per table, in one transaction per record (or per batch of records).
struct SQLBaseline {
    let connection: PostgresConnection
    let namespaceID: Int64
    let types: IngestTypes
    let logger: Logger

    static let live = Int16(NodeKind.artifact.state(named: "LIVE")!)
    static let complete = Int16(NodeKind.execution.state(named: "COMPLETE")!)

    static func connect(_ endpoint: DatabaseEndpoint, namespace: String, types: IngestTypes, logger: Logger)
        async throws -> SQLBaseline
    {
        let connection = try await PostgresConnection.connect(
            configuration: try endpoint.connectionConfiguration(), id: 1, logger: logger)
        let rows = try await connection.query("SELECT id FROM namespaces WHERE name = \(namespace)", logger: logger)
        guard let namespaceID = try await rows.collect().first?.decode(Int64.self) else {
            try? await connection.close()
            throw BenchError("namespace \(namespace) is not in \(endpoint): the server and --database-url disagree")
        }
        return SQLBaseline(connection: connection, namespaceID: namespaceID, types: types, logger: logger)
    }

    func close() async {
        try? await connection.close()
    }

    /// Writes `records`, `batchSize` records per transaction, returning one latency per transaction and the
    /// database's CPU time when `cluster` is known.
    func write(_ records: Range<Int>, batchSize: Int, cluster: ClusterCPU? = nil) async throws -> LatencySummary {
        var latencies: [Double] = []
        let (elapsed, cpu) = try await PhaseCPU.measure(cluster: cluster, serverSeconds: { nil }) {
            for start in stride(from: records.lowerBound, to: records.upperBound, by: batchSize) {
                let batch = start..<min(start + batchSize, records.upperBound)
                latencies.append(try await measure { try await transaction(batch) })
            }
        }
        var summary = LatencySummary(latencies: latencies, elapsed: elapsed, recordsPerOperation: batchSize)
        summary.cpu = cpu
        return summary
    }

    private func transaction(_ records: Range<Int>) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            for record in records { try await insert(record) }
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    private func insert(_ record: Int) async throws {
        let execution = try await id(
            """
            INSERT INTO executions (namespace_id, type_id, state, properties)
            VALUES (\(namespaceID), \(types.trainer), \(Self.complete), '{"epochs":{"int":10}}'::jsonb) RETURNING id
            """)
        let dataset = try await id(
            """
            INSERT INTO artifacts (namespace_id, type_id, uri, external_id, state, properties)
            VALUES (\(namespaceID), \(types.dataset), \("s3://bench/data/sql-\(record)"), \("sql-data-\(record)"),
                    \(Self.live), '{"rows":{"int":1000}}'::jsonb) RETURNING id
            """)
        let model = try await id(
            """
            INSERT INTO artifacts (namespace_id, type_id, uri, state, properties)
            VALUES (\(namespaceID), \(types.model), \("s3://bench/model/sql-\(record)"), \(Self.live),
                    '{"accuracy":{"double":0.93}}'::jsonb) RETURNING id
            """)
        let run = try await id(
            "INSERT INTO contexts (namespace_id, type_id, name) VALUES (\(namespaceID), \(types.run), \("sql-run-\(record)")) RETURNING id")
        let input = EventType.input.rawValue, output = EventType.output.rawValue
        try await connection.query(
            "INSERT INTO events (artifact_id, execution_id, type) VALUES (\(dataset), \(execution), \(input)), (\(model), \(execution), \(output))",
            logger: logger)
        try await connection.query(
            "INSERT INTO attributions (context_id, artifact_id) VALUES (\(run), \(dataset)), (\(run), \(model))", logger: logger)
        try await connection.query(
            "INSERT INTO associations (context_id, execution_id) VALUES (\(run), \(execution))", logger: logger)
    }

    private func id(_ query: PostgresQuery) async throws -> Int64 {
        let rows = try await connection.query(query, logger: logger).collect()
        guard let id = try rows.first?.decode(Int64.self) else { throw BenchError("an INSERT returned no id") }
        return id
    }
}
