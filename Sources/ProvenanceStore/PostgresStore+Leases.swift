import Metrics
import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Leases queued tasks to executor `executor`: as many as fit in `available` (a slot each, and their cpu,
    /// memory and gpu), whose required labels the executor has, at most `maximum`, oldest first. A server runs
    /// one lease transaction at a time, serving every request waiting for it (see `TransactionBatcher`): lease
    /// transactions racing over the front of the queue cost PostgreSQL far more than they save. Each gets an
    /// attempt under a lease of `duration` with a new fencing token, and an MLMD execution (state RUNNING) in its
    /// run's context. Tasks other executors hold are skipped, never waited for (`FOR UPDATE SKIP LOCKED`), so any
    /// number of executors and server replicas can lease at once without leasing a task twice. Only tasks of
    /// `namespaces` are leased.
    public func lease(
        executor: ExecutorID, available: ExecutorCapacity, maximum: Int, duration: Duration,
        namespaces: NamespaceScope = .all
    ) async throws(ProvenanceError) -> [Lease] {
        try available.validate(field: "available")
        let limit = min(maximum, available.slots)
        guard limit > 0 else { return [] }
        var namespaceIDs: [NamespaceID]?
        if let names = namespaces.names {
            var ids: [NamespaceID] = []
            for name in names {
                do throws(ProvenanceError) { ids.append(try await namespaceID(name)) } catch where error.code == .notFound {}
            }
            guard !ids.isEmpty else { return [] }
            namespaceIDs = ids
        }
        let request = LeaseRequest(
            executor: executor, available: available, limit: limit, duration: duration, namespaceIDs: namespaceIDs,
            cancellation: RequestCancellation.current)
        let leases = try await leaseBatcher.run(request) { [self] requests throws(ProvenanceError) in
            try await transaction { connection in
                // One after another in one transaction: each sees the tasks the previous ones took.
                var results: [Result<[Lease], ProvenanceError>] = []
                for request in requests {
                    // A request whose client has gone gets nothing: a task leased to it would wait out the lease.
                    if request.cancellation?.isCancelled == true {
                        results.append(.success([]))
                        continue
                    }
                    do {
                        let leases = try await LeaseGrant(store: self, connection: connection).grant(request)
                        results.append(.success(leases))
                    } catch let error as ProvenanceError where error.code == .notFound {
                        results.append(.failure(error))
                    }
                }
                return results
            }
        }
        // Counted once the transaction that granted them has committed.
        for (namespace, granted) in Dictionary(grouping: leases, by: \.namespace) {
            Counter(label: MetricName.leasesGranted, dimensions: [("namespace", namespace)]).increment(by: granted.count)
        }
        return leases
    }

    /// Extends the leases of `tokens` that executor `executor` still holds by `duration`; says of each whether it
    /// is still held and whether its run is being cancelled. The executor counts as alive (`last_seen`) when
    /// `vouched` (its own token came with the heartbeat) or when it still holds one of the leases: a heartbeat
    /// proving neither changes nothing.
    public func heartbeat(executor: ExecutorID, tokens: [LeaseToken], duration: Duration, vouched: Bool)
        async throws(ProvenanceError) -> [LeaseStatus]
    {
        let (tasks, numbers, secrets) = (tokens.map(\.taskID), tokens.map { Int32(clamping: $0.attempt) }, tokens.map(\.secret))
        let seconds = Self.seconds(duration)
        let held: [TaskID: (expires: Int64, cancel: Bool)] = try await perform { [self] connection in
            var held: [TaskID: (expires: Int64, cancel: Bool)] = [:]
            if !tasks.isEmpty {
                let rows = try await connection.prepared(RunEngineSQL.HeartbeatAttempts.self,
                    """
                    UPDATE attempts a SET lease_expires = now() + \(seconds)::float8 * interval '1 second'
                    FROM unnest(\(tasks)::int8[], \(numbers)::int4[], \(secrets)::text[]) AS k(task_id, number, secret),
                        tasks t
                    WHERE a.task_id = k.task_id AND a.number = k.number AND a.secret = k.secret
                        AND a.state = \(AttemptState.running.rawValue) AND a.executor_id = \(executor) AND t.id = a.task_id
                    RETURNING a.task_id, \(unescaped: Self.microseconds("a.lease_expires")), t.cancel_requested
                    """, logger: logger)
                for try await (task, expires, cancel) in rows.decode((TaskID, Int64, Bool).self) { held[task] = (expires, cancel) }
            }
            if vouched || !held.isEmpty {
                try await connection.prepared(RunEngineSQL.HeartbeatExecutor.self, "UPDATE executors SET last_seen = now() WHERE id = \(executor)", logger: logger)
            }
            return held
        }
        return tokens.map { token in
            let status = held[token.taskID]
            return LeaseStatus(token: token, leaseExpires: status?.expires, cancel: status?.cancel ?? false)
        }
    }

    /// A duration in seconds, for SQL intervals.
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// What one executor asks of a lease.
struct LeaseRequest: Sendable {
    let executor: ExecutorID
    let available: ExecutorCapacity
    let limit: Int
    let duration: Duration
    /// The namespaces whose tasks may be leased; nil for all.
    let namespaceIDs: [NamespaceID]?
    /// Fires when the client that asked has gone.
    let cancellation: RequestCancellation?
}

/// One lease request's work inside its transaction (see `PostgresStore.lease`).
private struct LeaseGrant {
    let store: PostgresStore
    let connection: PostgresConnection
    var logger: Logger { store.logger }

    /// A task picked for the lease, with what its executor needs to run it.
    private struct Picked {
        let id: TaskID
        let request: ResourceRequest
        let attempt: Int
        let runID: RunID
        let namespace: String
        let namespaceID: NamespaceID
        let step: String
        let component: ComponentSpec
        let executionTypeID: TypeID
        let parameters: [String: JSON]
        let inputs: [String: ArtifactID]
        let runContextID: ContextID

        /// Over `tasks t` and `components c`.
        static let columns = """
            t.id, t.cpu, t.memory_mb, t.gpu, t.attempts + 1, t.run_id,
            (SELECT n.name FROM namespaces n WHERE n.id = t.namespace_id), t.namespace_id, t.step, t.component_id,
            c.spec::text, c.execution_type_id, t.parameters::text, coalesce(t.inputs, '{}')::text,
            (SELECT r.context_id FROM runs r WHERE r.id = t.run_id)
            """

        /// A row of `columns`; the component's spec is parsed once per version (`specs`).
        init(_ row: PostgresRow, specs: SpecCache<ComponentSpec>) throws {
            let (id, cpu, memoryMB, gpu, attempt, runID, namespace, namespaceID, step, componentID, spec, executionTypeID,
                 parameters, inputs, runContextID) =
                try row.decode((TaskID, Double, Int32, Int32, Int32, RunID, String, NamespaceID, String, Int64, String, TypeID,
                                String, String, ContextID).self)
            self.id = id
            request = ResourceRequest(cpu: cpu, memoryMB: Int(memoryMB), gpu: Int(gpu))
            (self.attempt, self.runID, self.namespace, self.namespaceID, self.step) = (Int(attempt), runID, namespace, namespaceID, step)
            component = try specs.spec(id: componentID, text: spec, parse: ComponentSpec.init(json:))
            self.executionTypeID = executionTypeID
            self.parameters = try TaskAdvance.object(try JSONParser.parse(parameters))
            self.inputs = try TaskAdvance.artifactIDs(inputs)
            self.runContextID = runContextID
        }
    }

    /// How many more tasks from the queue's front a lease reads than it may lock: those other leases hold.
    static let lockedSlack = 32

    /// Grants the leases in four statements: the candidates (with the executor's heartbeat), their inputs'
    /// artifacts, the attempts' executions, and the attempts with their tasks' and runs' states.
    func grant(_ request: LeaseRequest) async throws -> [Lease] {
        let (executor, available, limit, duration) = (request.executor, request.available, request.limit, request.duration)
        // The candidates' plan is generic, made once per connection, and the planner's statistics of a queue are
        // nearly always of an empty one: left to itself it sorts every queued task at each lease (10,000 queued
        // tasks: 15 ms a lease). Planned without sorts, the only plan left reads the queue's index in order.
        // The statement turns sorting back on for the statements after it.
        try await connection.query("SET LOCAL enable_sort = off", logger: logger)
        // Candidates that fit one at a time, oldest first, with what running them needs; a few more than the slots,
        // since together they may not fit.
        var candidates: [Picked] = []
        for try await row in try await connection.prepared(
            RunEngineSQL.LeaseCandidates.self,
            """
            WITH e AS (
                UPDATE executors SET last_seen = now() WHERE id = \(executor)
                RETURNING labels, set_config('enable_sort', 'on', true)
            ), front AS MATERIALIZED (
                -- The queue's front, in the order of its index, unlocked.
                SELECT f.id FROM tasks f
                WHERE f.state = \(unescaped: TaskAdvance.literals([.queued])) AND f.not_before <= now()
                    AND f.cpu <= \(available.cpu) AND f.memory_mb <= \(Int32(clamping: available.memoryMB))
                    AND f.gpu <= \(Int32(clamping: available.gpu)) AND f.executor_labels <@ (SELECT labels FROM e)
                    AND (\(request.namespaceIDs)::int8[] IS NULL OR f.namespace_id = ANY(\(request.namespaceIDs)::int8[]))
                ORDER BY f.not_before, f.id
                LIMIT \(Int64(limit * 4 + Self.lockedSlack))
            )
            SELECT \(unescaped: Picked.columns)
            FROM front
            -- Each locked by key in that order, skipping those other leases hold, until enough are (one another
            -- lease took since is locked, seen in its new state and passed over); its component, run and
            -- namespace looked up by key (a join planned while the tables were small would scan them). OFFSET 0
            -- keeps the state test out here: inside, it would send the lookup through the queue's index.
            CROSS JOIN LATERAL (SELECT q.* FROM tasks q WHERE q.id = front.id OFFSET 0 FOR UPDATE SKIP LOCKED) t
            CROSS JOIN LATERAL (
                SELECT c.spec, c.execution_type_id FROM components c WHERE c.id = t.component_id OFFSET 0
            ) c
            WHERE t.state = \(unescaped: TaskAdvance.literals([.queued]))
            LIMIT \(Int64(limit * 4))
            """, logger: logger
        ) {
            candidates.append(try Picked(row, specs: store.componentSpecs))
        }
        if candidates.isEmpty {
            // Nothing to lease; an executor the server no longer knows must register again.
            var known = false
            for try await _ in try await connection.prepared(
                RunEngineSQL.LeaseExecutor.self, "SELECT 1 FROM executors WHERE id = \(executor)", logger: logger
            ).decode(Int32.self) { known = true }
            guard known else { throw ProvenanceError.notFound("executor \(executor) not found; register again") }
            return []
        }
        var left = available
        var picked: [Picked] = []
        for candidate in candidates where picked.count < limit && left.fits(candidate.request) {
            picked.append(candidate)
            left = left.minus(candidate.request)
        }
        guard !picked.isEmpty else { return [] }
        let artifacts = try await inputArtifacts(picked)
        let executions = try await recordExecutions(picked)
        let secrets = picked.map { _ in LeaseToken.newSecret() }
        let seconds = PostgresStore.seconds(duration)
        var expiries: [TaskID: Int64] = [:]
        for try await (task, expires) in try await connection.prepared(
            RunEngineSQL.LeaseAttempts.self,
            """
            WITH a AS (
                INSERT INTO attempts (task_id, number, state, executor_id, secret, lease_expires, execution_id)
                SELECT l.task_id, l.number, \(unescaped: StateTransitionSQL.initial(AttemptState.self)), \(executor), l.secret,
                       now() + \(seconds)::float8 * interval '1 second', l.execution_id
                FROM unnest(\(picked.map(\.id))::int8[], \(picked.map { Int32($0.attempt) })::int4[], \(secrets)::text[],
                            \(executions)::int8[]) AS l(task_id, number, secret, execution_id)
                RETURNING task_id, lease_expires
            ), t AS (
                UPDATE tasks SET \(unescaped: StateTransitionSQL.set(TaskState.running, on: .lease)), attempts = attempts + 1,
                    start_time = coalesce(start_time, now())
                WHERE id = ANY(\(picked.map(\.id))) AND \(unescaped: StateTransitionSQL.from(TaskState.running, on: .lease))
                RETURNING run_id
            ), r AS (
                UPDATE runs SET \(unescaped: StateTransitionSQL.set(RunState.running, on: .lease)), start_time = now()
                WHERE id IN (SELECT run_id FROM t) AND \(unescaped: StateTransitionSQL.from(RunState.running, on: .lease))
            )
            SELECT task_id, \(unescaped: PostgresStore.microseconds("lease_expires")) FROM a
            """, logger: logger
        ).decode((TaskID, Int64).self) { expiries[task] = expires }
        return picked.enumerated().map { offset, task in
            Lease(
                token: LeaseToken(taskID: task.id, attempt: task.attempt, secret: secrets[offset]),
                namespace: task.namespace, runID: task.runID, step: task.step, component: task.component.reference,
                process: task.component.run, timeout: task.component.timeout, resources: task.component.resources,
                inputs: task.inputs.keys.sorted().compactMap { name in
                    artifacts[task.inputs[name]!].map { TaskArtifact(name: name, artifactID: task.inputs[name]!, type: $0.type, uri: $0.uri) }
                },
                outputs: task.component.outputs.map { output in
                    LeaseOutput(
                        name: output.name, type: output.type,
                        path: "\(task.namespace)/runs/\(task.runID)/\(task.step)/attempt-\(task.attempt)/\(output.name)")
                },
                parameters: task.parameters, executionID: executions[offset], leaseExpires: expiries[task.id] ?? 0)
        }
    }

    /// An MLMD execution (state RUNNING) for each attempt, in its run's context; one write per namespace.
    private func recordExecutions(_ picked: [Picked]) async throws -> [ExecutionID] {
        let running = ExecutionState.running.rawValue
        var executions = [ExecutionID](repeating: ExecutionID(0), count: picked.count)
        for namespaceID in Set(picked.map(\.namespaceID)) {
            var lineage = AttemptLineage()
            var positions: [Int] = []
            for (position, task) in picked.enumerated() where task.namespaceID == namespaceID {
                _ = lineage.execution(
                    type: task.executionTypeID.rawValue, state: running,
                    properties: PipelineMetadata.attemptProperties(
                        run: task.runID, task: task.id, step: task.step, attempt: task.attempt,
                        component: task.component.reference),
                    context: task.runContextID.rawValue)
                positions.append(position)
            }
            let written = try await store.write(lineage.write, namespaceID: namespaceID, on: connection)
            for (offset, position) in positions.enumerated() { executions[position] = written.executionIDs[offset] }
        }
        return executions
    }

    private func inputArtifacts(_ tasks: [Picked]) async throws -> [ArtifactID: (uri: String?, type: String)] {
        let ids = Array(Set(tasks.flatMap(\.inputs.values)))
        guard !ids.isEmpty else { return [:] }
        var artifacts: [ArtifactID: (uri: String?, type: String)] = [:]
        for try await (id, uri, type) in try await connection.prepared(RunEngineSQL.LeaseInputs.self, 
            "SELECT a.id, a.uri, ty.name FROM artifacts a JOIN types ty ON ty.id = a.type_id WHERE a.id = ANY(\(ids))",
            logger: logger
        ).decode((ArtifactID, String?, String).self) { artifacts[id] = (uri, type) }
        return artifacts
    }
}
