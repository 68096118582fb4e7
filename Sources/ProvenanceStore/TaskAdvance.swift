import Logging
import PostgresNIO
import ProvenanceCore

/// Moves tasks forward inside a transaction the caller holds (a run's submission, an attempt's completion or
/// failure, a lease's expiry, a retry): makes ready tasks runnable, reuses cached outputs, skips what a failure
/// cuts off, and ends runs with nothing left to do. Every step is set-based, so a fan-out of thousands of tasks
/// costs a few statements, not thousands.
struct TaskAdvance {
    let store: PostgresStore
    let connection: PostgresConnection
    var logger: Logger { store.logger }

    /// A pending task whose upstream tasks have all produced their outputs: a row of `columns` over `tasks t`,
    /// `runs r`, `pipelines p` and `components c`.
    struct ReadyTask {
        let id: TaskID
        let runID: RunID
        let namespaceID: NamespaceID
        let step: String
        let component: ComponentReference
        let executionTypeID: TypeID
        let parameters: [String: JSON]
        let sources: [String: InputSource]
        let cache: Bool
        let runContextID: ContextID
        let pipelineContextID: ContextID
        let runIsStopping: Bool

        static let columns = """
            t.id, t.run_id, t.namespace_id, t.step, c.name, c.version, c.execution_type_id, t.parameters::text,
            t.input_sources::text, t.cache, r.context_id, p.context_id,
            r.state IN (\(RunState.canceling.rawValue), \(RunState.canceled.rawValue))
            """

        init(_ row: PostgresRow) throws {
            let (id, runID, namespaceID, step, componentName, componentVersion, executionTypeID, parameters, sources, cache,
                 runContextID, pipelineContextID, runIsStopping) =
                try row.decode(
                    (TaskID, RunID, NamespaceID, String, String, String, TypeID, String, String, Bool, ContextID, ContextID, Bool).self)
            (self.id, self.runID, self.namespaceID, self.step) = (id, runID, namespaceID, step)
            component = ComponentReference(name: componentName, version: componentVersion)
            self.executionTypeID = executionTypeID
            self.parameters = try TaskAdvance.object(try JSONParser.parse(parameters))
            var inputs: [String: InputSource] = [:]
            for (name, json) in try TaskAdvance.object(try JSONParser.parse(sources)) { inputs[name] = try InputSource(json: json) }
            self.sources = inputs
            (self.cache, self.runContextID, self.pipelineContextID, self.runIsStopping) = (cache, runContextID, pipelineContextID, runIsStopping)
        }
    }

    /// What `release` did.
    struct Released {
        /// Tasks queued for executors.
        var queued = 0
        /// Runs whose tasks changed.
        var runs: Set<RunID> = []
    }

    /// Makes the pending tasks `ids` (whose upstream tasks have all produced their outputs) go forward: each has
    /// its inputs resolved, then reuses an identical earlier task's outputs (and its own downstream tasks go
    /// forward in turn), or is queued, or fails when an input cannot be found. Tasks of a run being cancelled are
    /// cancelled instead.
    ///
    /// It goes in waves (the tasks made ready by the cache hits of the wave before), reading a few statements per
    /// wave and writing every cache hit at the end in one set of statements. After `StoreOptions.releaseWaves`
    /// waves the tasks still to go are left in `task_releases` for further transactions (`releaseDeferred`): a
    /// long chain served from the cache never holds the caller's transaction, and its locks, for long.
    func release(_ ids: [TaskID]) async throws -> Released {
        var released = Released()
        var hits: [CacheHit] = []
        // The outputs of the tasks served from the cache so far: not yet written, read by the next waves.
        var reused: [OutputKey: ArtifactID] = [:]
        var next = ids
        var waves = 0
        while !next.isEmpty {
            if waves == store.options.releaseWaves {
                try await deferRelease(next)
                break
            }
            waves += 1
            let tasks = try await load(next)
            released.runs.formUnion(tasks.map(\.runID))
            let stopped = tasks.filter(\.runIsStopping).map(\.id)
            if !stopped.isEmpty { try await cancel(stopped) }
            let live = tasks.filter { !$0.runIsStopping }
            let outputs = try await outputs(of: live, known: reused)
            var resolved: [(task: ReadyTask, inputs: [String: ArtifactID], fingerprint: String)] = []
            var failed: [(id: TaskID, error: String)] = []
            var selected: [SelectorKey: ArtifactID?] = [:]
            for task in live {
                var inputs: [String: ArtifactID] = [:]
                var problem: String?
                for name in task.sources.keys.sorted() {
                    switch task.sources[name]! {
                    case .output(let step, let output):
                        guard let id = outputs[OutputKey(runID: task.runID, step: step, output: output)] else {
                            problem = "input \(name): step \(step) has no output \(output)"
                            continue
                        }
                        inputs[name] = id
                    case .artifact(let id):
                        inputs[name] = id
                    case .uri:
                        problem = "input \(name): its URI was not recorded when the run started"
                    case .selector(let selector, let optional):
                        let key = SelectorKey(selector: selector, namespaceID: task.namespaceID, pipelineContextID: task.pipelineContextID)
                        if selected[key] == nil { selected[key] = try await select(key) }
                        if let id = selected[key]! {
                            inputs[name] = id
                        } else if !optional {
                            problem = "input \(name): no \(selector.type) artifact matches its selector"
                        }
                    }
                }
                if let problem {
                    failed.append((task.id, problem))
                } else {
                    let fingerprint = TaskFingerprint.of(component: task.component, parameters: task.parameters, inputs: inputs)
                    resolved.append((task, inputs, fingerprint))
                }
            }
            let sources = try await cacheSources(resolved.filter { $0.task.cache }.map { (namespaceID: $0.task.namespaceID, fingerprint: $0.fingerprint) })
            var cachedNow: [TaskID] = []
            var queued: [(id: TaskID, inputs: [String: ArtifactID], fingerprint: String)] = []
            for entry in resolved {
                if entry.task.cache, let source = sources[CacheKey(namespaceID: entry.task.namespaceID, fingerprint: entry.fingerprint)] {
                    hits.append(CacheHit(task: entry.task, inputs: entry.inputs, fingerprint: entry.fingerprint, source: source))
                    for output in source.outputs {
                        reused[OutputKey(runID: entry.task.runID, step: entry.task.step, output: output.name)] = output.artifact
                    }
                    cachedNow.append(entry.task.id)
                } else {
                    queued.append((entry.task.id, entry.inputs, entry.fingerprint))
                }
            }
            try await queue(queued)
            released.queued += queued.count
            if !failed.isEmpty {
                try await fail(failed)
                try await skipDescendants(of: failed.map(\.id))
            }
            next = try await downstreamReady(of: cachedNow)
        }
        for namespaceID in Set(hits.map(\.task.namespaceID)) {
            try await recordCacheHits(hits.filter { $0.task.namespaceID == namespaceID })
        }
        try await markStarted(Array(Set(hits.map(\.task.runID))))
        return released
    }

    /// Leaves ready tasks for a later transaction, and has every replica told when this one commits.
    private func deferRelease(_ ids: [TaskID]) async throws {
        try await connection.prepared(RunEngineSQL.DeferRelease.self,
            "INSERT INTO task_releases (task_id) SELECT unnest(\(ids)::int8[]) ON CONFLICT DO NOTHING", logger: logger)
        try await connection.prepared(RunEngineSQL.NotifyDeferred.self,
            "SELECT pg_notify(\(TaskQueue.channel), \(TaskQueue.releasesDeferred))", logger: logger)
    }

    /// Takes up to `limit` ready tasks earlier transactions left for later (none another transaction has taken).
    func takeDeferred(limit: Int) async throws -> [TaskID] {
        var ids: [TaskID] = []
        for try await id in try await connection.prepared(RunEngineSQL.TakeDeferred.self,
            """
            DELETE FROM task_releases WHERE task_id IN (
                SELECT task_id FROM task_releases ORDER BY task_id LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED)
            RETURNING task_id
            """, logger: logger
        ).decode(TaskID.self) { ids.append(id) }
        return ids.sorted()
    }

    // MARK: Reading ready tasks and their inputs

    private func load(_ ids: [TaskID]) async throws -> [ReadyTask] {
        var tasks: [ReadyTask] = []
        let rows = try await connection.prepared(RunEngineSQL.ReleasePick.self,
            """
            SELECT \(unescaped: ReadyTask.columns)
            FROM tasks t JOIN runs r ON r.id = t.run_id JOIN pipelines p ON p.id = r.pipeline_id
                JOIN components c ON c.id = t.component_id
            WHERE t.id = ANY(\(ids)) AND t.state = \(TaskState.pending.rawValue) AND t.waiting_on <= 0
            ORDER BY t.id
            FOR UPDATE OF t
            """, logger: logger)
        for try await row in rows { tasks.append(try ReadyTask(row)) }
        return tasks
    }

    /// Stored `{"input": artifact id}` (a task's resolved inputs) as a dictionary.
    static func artifactIDs(_ text: String) throws -> [String: ArtifactID] {
        var ids: [String: ArtifactID] = [:]
        for (name, value) in try object(try JSONParser.parse(text)) {
            if case .int(let id) = value { ids[name] = ArtifactID(id) }
        }
        return ids
    }

    /// A stored JSON object as a dictionary.
    static func object(_ json: JSON) throws -> [String: JSON] {
        guard case .object(let members) = json else { throw ProvenanceError(.internal, "a stored task field is not an object") }
        return Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    struct OutputKey: Hashable {
        let runID: RunID
        let step: String
        let output: String
    }

    /// The outputs the tasks' upstream steps produced: those in `known` (reused by this transaction's cache hits,
    /// not yet written), the others as stored.
    private func outputs(of tasks: [ReadyTask], known: [OutputKey: ArtifactID]) async throws -> [OutputKey: ArtifactID] {
        var outputs = known
        var runs: [RunID] = [], steps: [String] = []
        for task in tasks {
            for source in task.sources.values {
                if case .output(let step, let output) = source, known[OutputKey(runID: task.runID, step: step, output: output)] == nil {
                    runs.append(task.runID)
                    steps.append(step)
                }
            }
        }
        guard !runs.isEmpty else { return outputs }
        let rows = try await connection.prepared(RunEngineSQL.ReleaseUpstreamOutputs.self, 
            """
            SELECT t.run_id, t.step, o.name, o.artifact_id
            FROM (SELECT DISTINCT run_id, step FROM unnest(\(runs)::int8[], \(steps)::text[]) AS s(run_id, step)) s
                JOIN tasks t ON t.run_id = s.run_id AND t.step = s.step JOIN task_outputs o ON o.task_id = t.id
            """, logger: logger)
        for try await (runID, step, output, artifact) in rows.decode((RunID, String, String, ArtifactID).self) {
            outputs[OutputKey(runID: runID, step: step, output: output)] = artifact
        }
        return outputs
    }

    private struct SelectorKey: Hashable {
        let selector: ArtifactSelector
        let namespaceID: NamespaceID
        let pipelineContextID: ContextID
    }

    /// The newest artifact a selector finds now.
    private func select(_ key: SelectorKey) async throws -> ArtifactID? {
        var sql = SQLBuilder()
        let namespace = sql.bind(key.namespaceID.rawValue, as: "int8"), type = sql.bind(key.selector.type, as: "text")
        sql.append("""
            SELECT a.id FROM artifacts a JOIN types ty ON ty.id = a.type_id
            WHERE a.namespace_id = \(namespace) AND ty.name = \(type) AND ty.kind = \(NodeTable.typeKind(.artifact))
            """)
        if let state = key.selector.state { sql.append(" AND a.state = \(sql.bind(Int64(state), as: "int8"))") }
        if key.selector.scope == .pipeline {
            let pipeline = sql.bind(key.pipelineContextID.rawValue, as: "int8")
            sql.append("""
                 AND EXISTS (SELECT 1 FROM attributions l JOIN parent_contexts pc ON pc.child_id = l.context_id
                             WHERE l.artifact_id = a.id AND pc.parent_id = \(pipeline))
                """)
        }
        if let filter = try key.selector.boundFilter(field: "select.filter") {
            sql.append(" AND ")
            FilterSQL.append(filter, node: "a", to: &sql)
        }
        sql.append(" ORDER BY a.id DESC LIMIT 1")
        for try await id in try await connection.query(sql.query, logger: logger).decode(ArtifactID.self) { return id }
        return nil
    }

    // MARK: Moving tasks on

    /// Queues tasks with their resolved inputs.
    private func queue(_ tasks: [(id: TaskID, inputs: [String: ArtifactID], fingerprint: String)]) async throws {
        guard !tasks.isEmpty else { return }
        let inputs = tasks.map { Self.inputsText($0.inputs) }
        try await connection.prepared(RunEngineSQL.ReleaseQueue.self, 
            """
            UPDATE tasks t SET \(unescaped: StateTransitionSQL.set(TaskState.queued, on: .ready)), inputs = q.inputs::jsonb,
                fingerprint = q.fingerprint, queue_time = now(), not_before = now()
            FROM unnest(\(tasks.map(\.id))::int8[], \(inputs)::text[], \(tasks.map(\.fingerprint))::text[]) AS q(id, inputs, fingerprint)
            WHERE t.id = q.id AND \(unescaped: StateTransitionSQL.from(TaskState.queued, on: .ready, alias: "t"))
            """, logger: logger)
        try await connection.prepared(RunEngineSQL.NotifyQueued.self, "SELECT pg_notify(\(TaskQueue.channel), \(String(tasks.count)))", logger: logger)
    }

    static func inputsText(_ inputs: [String: ArtifactID]) -> String {
        JSONWriter.string(.object(inputs.keys.sorted().map { (key: $0, value: .int(inputs[$0]!.rawValue)) }))
    }

    /// Fails tasks that cannot run (an input was not found), with the reason.
    private func fail(_ tasks: [(id: TaskID, error: String)]) async throws {
        try await connection.query(
            """
            WITH ended AS (
                UPDATE tasks t SET \(unescaped: StateTransitionSQL.set(TaskState.failed, on: .fail)), error = f.error, end_time = now()
                FROM unnest(\(tasks.map(\.id))::int8[], \(tasks.map(\.error))::text[]) AS f(id, error)
                WHERE t.id = f.id AND \(unescaped: StateTransitionSQL.from(TaskState.failed, on: .fail, only: [.pending], alias: "t"))
                RETURNING t.run_id
            )
            \(unescaped: Self.countEnded)
            """, logger: logger)
    }

    /// Cancels tasks (not started, or whose attempt ended as their run was being cancelled).
    func cancel(_ ids: [TaskID]) async throws {
        try await connection.prepared(RunEngineSQL.CancelTasks.self,
            """
            WITH ended AS (
                UPDATE tasks SET \(unescaped: StateTransitionSQL.set(TaskState.canceled, on: .cancel)), end_time = now()
                WHERE id = ANY(\(ids)) AND \(unescaped: StateTransitionSQL.from(TaskState.canceled, on: .cancel))
                RETURNING run_id
            )
            \(unescaped: Self.countEnded)
            """, logger: logger)
    }

    /// Fails tasks whose last attempt failed or was lost, with no attempt left.
    func failForGood(_ ids: [TaskID]) async throws {
        try await connection.prepared(RunEngineSQL.FailTasks.self,
            """
            WITH ended AS (
                UPDATE tasks SET \(unescaped: StateTransitionSQL.set(TaskState.failed, on: .fail, .lose)), end_time = now()
                WHERE id = ANY(\(ids)) AND \(unescaped: StateTransitionSQL.from(TaskState.failed, on: .fail, .lose, only: [.running]))
                RETURNING run_id
            )
            \(unescaped: Self.countEnded)
            """, logger: logger)
    }

    /// Skips every task downstream of `ids` that has not started: they can never get their inputs.
    func skipDescendants(of ids: [TaskID]) async throws {
        guard !ids.isEmpty else { return }
        try await connection.query(
            """
            WITH RECURSIVE below AS (
                SELECT downstream_id AS id FROM task_edges WHERE upstream_id = ANY(\(ids))
                UNION SELECT e.downstream_id FROM task_edges e JOIN below b ON e.upstream_id = b.id
            ), ended AS (
                UPDATE tasks SET \(unescaped: StateTransitionSQL.set(TaskState.skipped, on: .skip)), end_time = now()
                WHERE id IN (SELECT id FROM below) AND \(unescaped: StateTransitionSQL.from(TaskState.skipped, on: .skip))
                RETURNING run_id
            )
            \(unescaped: Self.countEnded)
            """, logger: logger)
    }

    /// Counts `ids` (which just produced their outputs) off their downstream tasks; returns the tasks that now wait
    /// for nothing.
    func downstreamReady(of ids: [TaskID]) async throws -> [TaskID] {
        guard !ids.isEmpty else { return [] }
        var ready: [TaskID] = []
        let rows = try await connection.prepared(RunEngineSQL.DownstreamReady.self, 
            """
            WITH d AS (
                SELECT downstream_id, count(*)::int4 AS count FROM task_edges WHERE upstream_id = ANY(\(ids))
                GROUP BY downstream_id
            ), locked AS (
                -- In id order, so two transactions counting down the same tasks never deadlock; each by key, as the
                -- plan is made once per connection and one made while the tables were small would scan every
                -- unfinished task (OFFSET 0 keeps the state test out of the lookup).
                SELECT t.id FROM (SELECT downstream_id FROM d ORDER BY downstream_id) o
                CROSS JOIN LATERAL (SELECT t.id, t.state FROM tasks t WHERE t.id = o.downstream_id OFFSET 0 FOR UPDATE) t
                WHERE t.state = \(unescaped: TaskAdvance.literals([.pending]))
            )
            UPDATE tasks t SET waiting_on = t.waiting_on - d.count
            FROM d JOIN locked ON locked.id = d.downstream_id
            WHERE t.id = d.downstream_id
            RETURNING t.id, t.waiting_on
            """, logger: logger)
        for try await (id, waiting) in rows.decode((TaskID, Int32).self) where waiting <= 0 { ready.append(id) }
        return ready.sorted()
    }

    // MARK: Runs

    /// Marks the runs `ids` running if they were pending (a task of theirs started or was cached).
    func markStarted(_ ids: [RunID]) async throws {
        guard !ids.isEmpty else { return }
        try await connection.prepared(RunEngineSQL.MarkStarted.self, 
            """
            UPDATE runs SET \(unescaped: StateTransitionSQL.set(RunState.running, on: .cacheHit)), start_time = now()
            WHERE id = ANY(\(ids)) AND \(unescaped: StateTransitionSQL.from(RunState.running, on: .cacheHit))
            """, logger: logger)
    }

    /// Ends the runs among `ids` that have no unfinished task left: CANCELED if they were being cancelled, FAILED
    /// if a task failed or was skipped, else SUCCEEDED (`StateMachine.runOutcome`).
    ///
    /// Call it in the transaction that ended the tasks (see `PostgresStore.transactionFinishingRuns`): every
    /// statement that ends tasks counts them off their run's `unfinished_tasks` under the run's row lock
    /// (`countEnded`), so of two transactions ending a run's last two tasks at once, the second waits for the first
    /// and sees the count reach zero: the run ends in the transaction that ended its last task, never later.
    func finishRunsIfDone(_ ids: Set<RunID>) async throws {
        guard !ids.isEmpty else { return }
        try await connection.prepared(RunEngineSQL.FinishRuns.self, 
            """
            WITH done AS (
                SELECT r.id, \(unescaped: Self.runOutcome) AS state
                FROM runs r
                WHERE r.id = ANY(\(Array(ids))) AND r.state IN (\(unescaped: Self.activeRunStates)) AND r.unfinished_tasks = 0
            )
            UPDATE runs r SET \(unescaped: StateTransitionSQL.set("done.state", among: Self.runEndings, alias: "r")), end_time = now(),
                start_time = coalesce(r.start_time, now())
            FROM done WHERE r.id = done.id AND \(unescaped: StateTransitionSQL.from(among: Self.runEndings, alias: "r"))
            """, logger: logger)
    }

    /// The active runs (of any namespace) with no unfinished task left, at most `limit`: those whose last tasks'
    /// transactions committed but whose check after did not run (the server stopped in between).
    func strandedRuns(limit: Int) async throws -> Set<RunID> {
        var ids: Set<RunID> = []
        for try await id in try await connection.prepared(RunEngineSQL.StrandedRuns.self, 
            """
            SELECT r.id FROM runs r WHERE r.state IN (\(unescaped: Self.activeRunStates)) AND r.unfinished_tasks = 0
            LIMIT \(Int64(limit))
            """, logger: logger
        ).decode(RunID.self) { ids.insert(id) }
        return ids
    }

    /// Task states as SQL literals (the partial indexes' predicates match literals, not parameters).
    static func literals(_ states: [TaskState]) -> String {
        states.map { String($0.rawValue) }.joined(separator: ", ")
    }

    /// The states of a task that has not ended, as SQL literals (`tasks_unfinished_idx`).
    static let unfinishedTaskStates = literals(StateMachine.tasks.unfinishedStates)
    /// A run state as an SQL literal.
    static func literal(_ state: RunState) -> String { String(state.rawValue) }

    /// Counts the tasks a statement ended off their runs' unfinished tasks, under each run's row lock: the statement
    /// is the CTE `ended`, returning the `run_id` of each task it ended.
    static let countEnded = """
        UPDATE runs r SET unfinished_tasks = r.unfinished_tasks - e.count
        FROM (SELECT run_id, count(*)::int4 AS count FROM ended GROUP BY run_id) e WHERE r.id = e.run_id
        """

    /// How a run ends once its last task has: one of its final states, on `finish`.
    static let runEndings: [(state: RunState, event: EngineEvent)] = StateMachine.runs.finalStates.map { ($0, .finish) }

    /// The states of a run that has not ended, as SQL literals (`runs_active_idx`).
    static let activeRunStates = StateMachine.runs.unfinishedStates.map(literal).joined(separator: ", ")

    /// `StateMachine.runOutcome` as SQL over the run `r` whose tasks have all ended: CANCELED from the states a
    /// finish ends as CANCELED, else FAILED if a task is in a failing state, else SUCCEEDED.
    static let runOutcome = """
        CASE WHEN r.state IN (\(StateMachine.runs.sources(of: .canceled, on: .finish).map(literal).joined(separator: ", ")))
                 THEN \(literal(.canceled))
             WHEN EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = r.id AND t.state IN (\(literals(StateMachine.failingTaskStates))))
                 THEN \(literal(.failed))
             ELSE \(literal(.succeeded)) END
        """

    /// Now, in microseconds since the epoch, as SQL.
    static let now = "(extract(epoch FROM now()) * 1000000)::int8"
}
