import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Records an executor that attached, returning it with its id.
    public func registerExecutor(name: String, labels: [String: String], capacity: ExecutorCapacity)
        async throws(ProvenanceError) -> ExecutorInfo
    {
        try Validation.requireName(name, field: "name")
        try capacity.validate(field: "capacity")
        for (key, value) in labels {
            try Validation.requireName(key, field: "labels")
            try Validation.checkLength(value, field: "labels.\(key)")
        }
        let labelText = Self.labelsText(labels)
        return try await executorRows(
            """
            INSERT INTO executors (name, labels, cpu, memory_mb, gpu, slots)
            VALUES (\(name), \(labelText)::jsonb, \(capacity.cpu), \(Int32(clamping: capacity.memoryMB)),
                    \(Int32(clamping: capacity.gpu)), \(Int32(clamping: capacity.slots)))
            RETURNING \(unescaped: Self.executorColumns)
            """)[0]
    }

    /// The executors seen within `within` (all when nil), newest first.
    public func listExecutors(seenWithin within: Duration? = nil) async throws(ProvenanceError) -> [ExecutorInfo] {
        let seconds = within.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        return try await perform { [self] connection in
            var executors: [ExecutorInfo] = []
            for try await row in try await connection.query(
                """
                SELECT \(unescaped: Self.executorColumns) FROM executors
                WHERE \(seconds)::float8 IS NULL OR last_seen > now() - \(seconds)::float8 * interval '1 second'
                ORDER BY id DESC
                """, logger: logger)
            {
                executors.append(try Self.decodeExecutor(row))
            }
            // What each runs now, from the running attempts' own index (a few rows however long the history).
            var running: [ExecutorID: Int] = [:]
            for try await (id, count) in try await connection.query(
                """
                SELECT executor_id, count(*)::int8 FROM attempts
                WHERE state = \(AttemptState.running.rawValue) GROUP BY executor_id
                """, logger: logger
            ).decode((ExecutorID, Int64).self) { running[id] = Int(count) }
            for index in executors.indices { executors[index].running = running[executors[index].id] ?? 0 }
            return executors
        }
    }

    /// The executor `id`, or `notFound`.
    public func executor(_ id: ExecutorID) async throws(ProvenanceError) -> ExecutorInfo {
        guard let found = try await executorRows(
            "SELECT \(unescaped: Self.executorColumns) FROM executors WHERE id = \(id.rawValue)").first
        else { throw .notFound("executor \(id) not found; register again") }
        return found
    }

    static let executorColumns = """
        id, name, labels::text, cpu, memory_mb, gpu, slots, (extract(epoch FROM register_time) * 1000000)::int8,
        (extract(epoch FROM last_seen) * 1000000)::int8
        """

    private func executorRows(_ query: PostgresQuery, name: String = #function) async throws(ProvenanceError)
        -> [ExecutorInfo]
    {
        try await perform(name: name) { [self] connection in
            var executors: [ExecutorInfo] = []
            for try await row in try await connection.query(query, logger: logger) {
                executors.append(try Self.decodeExecutor(row))
            }
            return executors
        }
    }

    /// A row of `executorColumns`.
    static func decodeExecutor(_ row: PostgresRow) throws -> ExecutorInfo {
        let (id, name, labels, cpu, memory, gpu, slots, registerTime, lastSeen) =
            try row.decode((Int64, String, String, Double, Int32, Int32, Int32, Int64, Int64).self)
        return ExecutorInfo(
            id: ExecutorID(id), name: name, labels: try Self.labels(labels),
            capacity: ExecutorCapacity(slots: Int(slots), cpu: cpu, memoryMB: Int(memory), gpu: Int(gpu)),
            registerTime: registerTime, lastSeen: lastSeen)
    }

    /// Labels as stored JSON text.
    static func labelsText(_ labels: [String: String]) -> String {
        JSONWriter.string(.object(labels.keys.sorted().map { (key: $0, value: .string(labels[$0]!)) }))
    }

    /// Stored labels.
    static func labels(_ text: String) throws -> [String: String] {
        var labels: [String: String] = [:]
        for (key, value) in try TaskAdvance.object(try JSONParser.parse(text)) {
            if case .string(let text) = value { labels[key] = text }
        }
        return labels
    }
}
