import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Cancels run `id`: tasks not yet started are cancelled at once, running ones are told at their next
    /// heartbeat (and cancelled when their executor reports, or their lease expires). The run is CANCELING until
    /// none is left running, then CANCELED. Cancelling an ended run changes nothing. The cancel is recorded in the
    /// audit log as `actor`'s.
    public func cancelRun(_ id: RunID, namespace: String, actor: AuditActor) async throws(ProvenanceError) {
        let namespaceID = try await namespaceID(namespace)
        try await transactionFinishingRuns { [self] connection in
            try await cancel(id, namespaceID: namespaceID, namespace: namespace, actor: actor, on: connection)
            return ((), [id])
        }
    }

    /// Cancels run `id` on `connection`, inside the caller's transaction (see `cancelRun`); the caller finishes the
    /// run if nothing is left running. Returns whether the run was moving and is now CANCELING.
    @discardableResult
    func cancel(_ id: RunID, namespaceID: NamespaceID, namespace: String, actor: AuditActor, on connection: PostgresConnection)
        async throws -> Bool
    {
        let state = try await lockedState(of: id, namespaceID: namespaceID, on: connection)
        guard !state.isFinal, state != .canceling else { return false }
        try await connection.query(
            """
            UPDATE runs SET \(unescaped: StateTransitionSQL.set(RunState.canceling, on: .cancel))
            WHERE id = \(id.rawValue) AND \(unescaped: StateTransitionSQL.from(RunState.canceling, on: .cancel))
            """, logger: logger)
        // Tasks not started end now; running ones are told at their executor's next heartbeat.
        try await connection.query(
            """
            WITH ended AS (
                UPDATE tasks SET \(unescaped: StateTransitionSQL.set(TaskState.canceled, on: .cancel)), end_time = now()
                WHERE run_id = \(id.rawValue)
                    AND \(unescaped: StateTransitionSQL.from(TaskState.canceled, on: .cancel, only: [.pending, .queued]))
                RETURNING run_id
            )
            \(unescaped: TaskAdvance.countEnded)
            """, logger: logger)
        try await connection.query(
            "UPDATE tasks SET cancel_requested = true WHERE run_id = \(id.rawValue) AND state = \(unescaped: TaskAdvance.literals([.running]))",
            logger: logger)
        try await Self.appendAudit(
            connection, actor: actor, action: "run.cancel", namespaces: .only([namespace]), target: "run \(id)",
            details: ["previous_state": .string(state.name)], logger: logger)
        return true
    }

    /// Runs the failed, skipped and cancelled tasks of ended run `id` again, reusing what succeeded: each gets
    /// the component's attempts anew, the run is RUNNING again, and tasks whose inputs exist are made ready at
    /// once. A run that has not ended cannot be retried (`failedPrecondition`). The retry is recorded in the audit
    /// log as `actor`'s.
    public func retryRun(_ id: RunID, namespace: String, actor: AuditActor) async throws(ProvenanceError) {
        let namespaceID = try await namespaceID(namespace)
        try await transactionFinishingRuns { [self] connection in
            let state = try await lockedState(of: id, namespaceID: namespaceID, on: connection)
            guard StateMachine.runs.allows(state, .running, on: .retry) else {
                throw ProvenanceError(
                    .failedPrecondition, "run \(id) is \(state.name); only a FAILED or CANCELED run can be retried")
            }
            let succeeded = TaskState.allCases.filter(\.hasOutputs).map(\.rawValue)
            var reset: [TaskID] = []
            for try await taskID in try await connection.query(
                """
                UPDATE tasks t SET \(unescaped: StateTransitionSQL.set(TaskState.pending, on: .retry)), error = NULL, cancel_requested = false,
                    inputs = NULL, fingerprint = NULL, queue_time = NULL, end_time = NULL, not_before = now(),
                    max_attempts = t.attempts + (c.spec->'retries'->>'max_attempts')::int4,
                    waiting_on = (SELECT count(*) FROM task_edges e JOIN tasks u ON u.id = e.upstream_id
                                  WHERE e.downstream_id = t.id AND NOT u.state = ANY(\(succeeded)))
                FROM components c
                WHERE c.id = t.component_id AND t.run_id = \(id.rawValue)
                    AND \(unescaped: StateTransitionSQL.from(TaskState.pending, on: .retry, alias: "t"))
                RETURNING t.id
                """, logger: logger
            ).decode(TaskID.self) { reset.append(taskID) }
            try await connection.query(
                """
                UPDATE runs SET \(unescaped: StateTransitionSQL.set(RunState.running, on: .retry)), end_time = NULL,
                    unfinished_tasks = unfinished_tasks + \(Int32(reset.count))
                WHERE id = \(id.rawValue) AND \(unescaped: StateTransitionSQL.from(RunState.running, on: .retry))
                """, logger: logger)
            var ready: [TaskID] = []
            for try await taskID in try await connection.query(
                "SELECT id FROM tasks WHERE id = ANY(\(reset)) AND waiting_on = 0 ORDER BY id", logger: logger
            ).decode(TaskID.self) { ready.append(taskID) }
            try await Self.appendAudit(
                connection, actor: actor, action: "run.retry", namespaces: .only([namespace]), target: "run \(id)",
                details: ["previous_state": .string(state.name), "tasks_retried": .int(Int64(reset.count))], logger: logger)
            let advance = TaskAdvance(store: self, connection: connection)
            var released = try await advance.release(ready)
            released.runs.insert(id)
            return ((), released.runs)
        }
    }

    /// Run `id`'s state, its row locked for the rest of the transaction; `notFound` outside `namespaceID`.
    private func lockedState(of id: RunID, namespaceID: NamespaceID, on connection: PostgresConnection) async throws -> RunState {
        let rows = try await connection.query(
            "SELECT state FROM runs WHERE id = \(id.rawValue) AND namespace_id = \(namespaceID.rawValue) FOR UPDATE",
            logger: logger)
        var state: RunState?
        for try await value in rows.decode(Int16.self) { state = RunState(rawValue: value) }
        guard let state else { throw ProvenanceError.notFound("run \(id) not found") }
        return state
    }
}
