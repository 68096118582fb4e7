import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// The advisory lock key of retention passes: one replica sweeps at a time, the others skip their turn.
    static let retentionLockKey: Int64 = 0x5052_4f56_5245_5431  // "PROVRET1"

    /// Removes, in one transaction, at most `batch` of each kind of thing `policy` no longer keeps: finished runs
    /// (their tasks, edges, outputs, attempts and logs), the earlier attempts of finished tasks, and the log lines
    /// of finished tasks. Returns nothing removed when another replica holds the sweep (every replica runs the
    /// sweeper; they take turns, and deleting twice would remove nothing anyway).
    public func sweepRetention(_ policy: RetentionPolicy, batch: Int = 500) async throws(ProvenanceError) -> RetentionSweep {
        guard policy.removesAnything else { return RetentionSweep() }
        let finished = RunState.allCases.filter(\.isFinal).map(\.rawValue)
        let finishedTasks = TaskState.allCases.filter(\.isFinal).map(\.rawValue)
        let limit = Int64(batch)
        return try await transaction { [logger] connection in
            var sweep = RetentionSweep()
            let locked = try await connection.query(
                "SELECT pg_try_advisory_xact_lock(\(Self.retentionLockKey))", logger: logger)
            for try await held in locked.decode(Bool.self) where !held { return sweep }
            if let keep = policy.runs {
                let runs = try await connection.query(
                    """
                    SELECT coalesce(array_agg(id), '{}') FROM (
                        SELECT id FROM runs
                        WHERE state = ANY(\(finished)) AND end_time < now() - \(Self.seconds(keep)) * interval '1 second'
                        ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                    ) r
                    """, logger: logger)
                var ids: [Int64] = []
                for try await found in runs.decode([Int64].self) { ids = found }
                if !ids.isEmpty {
                    try await connection.query(
                        """
                        WITH t AS (SELECT id FROM tasks WHERE run_id = ANY(\(ids))),
                             logs AS (DELETE FROM task_logs WHERE task_id IN (SELECT id FROM t)),
                             attempts AS (DELETE FROM attempts WHERE task_id IN (SELECT id FROM t)),
                             outputs AS (DELETE FROM task_outputs WHERE task_id IN (SELECT id FROM t)),
                             edges AS (DELETE FROM task_edges WHERE upstream_id IN (SELECT id FROM t)
                                           OR downstream_id IN (SELECT id FROM t))
                        DELETE FROM tasks WHERE id IN (SELECT id FROM t)
                        """, logger: logger)
                    try await connection.query("DELETE FROM runs WHERE id = ANY(\(ids))", logger: logger)
                    sweep.runs = ids.count
                }
            }
            if let keep = policy.attempts {
                let removed = try await connection.query(
                    """
                    WITH old AS (
                        SELECT a.task_id, a.number FROM attempts a JOIN tasks t ON t.id = a.task_id
                        WHERE t.state = ANY(\(finishedTasks)) AND a.number < t.attempts AND a.end_time IS NOT NULL
                            AND a.end_time < now() - \(Self.seconds(keep)) * interval '1 second'
                        LIMIT \(limit)
                    ),
                    logs AS (
                        DELETE FROM task_logs l USING old WHERE l.task_id = old.task_id AND l.attempt = old.number
                    )
                    DELETE FROM attempts a USING old WHERE a.task_id = old.task_id AND a.number = old.number
                    RETURNING 1
                    """, logger: logger)
                for try await _ in removed { sweep.attempts += 1 }
            }
            if let keep = policy.taskLogs {
                let removed = try await connection.query(
                    """
                    DELETE FROM task_logs WHERE (task_id, attempt, seq) IN (
                        SELECT l.task_id, l.attempt, l.seq FROM task_logs l JOIN tasks t ON t.id = l.task_id
                        WHERE t.state = ANY(\(finishedTasks)) AND l.time < now() - \(Self.seconds(keep)) * interval '1 second'
                        LIMIT \(limit * 20)
                    )
                    RETURNING 1
                    """, logger: logger)
                for try await _ in removed { sweep.logLines += 1 }
            }
            if let keep = policy.openLineageEvents {
                let removed = try await connection.query(
                    """
                    DELETE FROM openlineage_events WHERE id IN (
                        SELECT id FROM openlineage_events
                        WHERE received_at < now() - \(Self.seconds(keep)) * interval '1 second'
                        ORDER BY received_at LIMIT \(limit * 20)
                    )
                    RETURNING 1
                    """, logger: logger)
                for try await _ in removed { sweep.openLineageEvents += 1 }
            }
            return sweep
        }
    }
}
