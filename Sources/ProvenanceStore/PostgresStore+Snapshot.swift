import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// The snapshot `/metrics` reports. The counts read the partial indexes of unfinished tasks and active runs,
    /// so a scrape costs the same with a million finished tasks as with none.
    public func operationalSnapshot() async throws(ProvenanceError) -> OperationalSnapshot {
        return try await perform { [self] connection in
            var snapshot = OperationalSnapshot(tasks: [], runs: [], executorsAttached: 0)
            for try await (namespace, state, count) in try await connection.query(
                """
                SELECT n.name, t.state, count(*)::int8 FROM tasks t JOIN namespaces n ON n.id = t.namespace_id
                WHERE t.state IN (\(unescaped: TaskAdvance.unfinishedTaskStates))
                GROUP BY n.name, t.state
                """, logger: logger
            ).decode((String, Int16, Int64).self) {
                let name = TaskState(rawValue: state)?.name ?? "\(state)"
                snapshot.tasks.append((namespace, name, Int(count)))
            }
            for try await (state, count) in try await connection.query(
                """
                SELECT state, count(*)::int8 FROM runs
                WHERE state IN (\(unescaped: TaskAdvance.activeRunStates)) GROUP BY state
                """, logger: logger
            ).decode((Int16, Int64).self) {
                snapshot.runs.append((RunState(rawValue: state)?.name ?? "\(state)", Int(count)))
            }
            let seconds = Self.seconds(options.executorLiveness)
            for try await count in try await connection.query(
                "SELECT count(*)::int8 FROM executors WHERE last_seen > now() - \(seconds)::float8 * interval '1 second'",
                logger: logger
            ).decode(Int64.self) { snapshot.executorsAttached = Int(count) }
            return snapshot
        }
    }
}
