import PostgresNIO
import ProvenanceCore

/// Which runs a listing shows.
public struct RunListFilter: Sendable, Equatable {
    /// Only runs of this pipeline.
    public var pipeline: String?
    /// Only runs in this state.
    public var state: RunState?
    /// Only runs with all these labels.
    public var labels: [String: String]

    /// Creates a filter; the default shows every run.
    public init(pipeline: String? = nil, state: RunState? = nil, labels: [String: String] = [:]) {
        self.pipeline = pipeline
        self.state = state
        self.labels = labels
    }

    /// A stable description, binding page tokens to the listing that issued them.
    public var fingerprint: String {
        "p=\(pipeline ?? "\u{0}")|s=\(state.map { String($0.rawValue) } ?? "-")|l=\(PostgresStore.labelsText(labels))"
    }
}

extension PostgresStore {
    /// Run `id` with its tasks, each with its attempts, inputs, outputs and why it waits: the run-details document.
    public func run(_ id: RunID, namespace: String) async throws(ProvenanceError) -> Run {
        let namespaceID = try await namespaceID(namespace)
        let runs = try await runRows(
            "r.id = \(id.rawValue) AND r.namespace_id = \(namespaceID.rawValue)", limit: 1)
        guard var run = runs.first else { throw .notFound("run \(id) not found") }
        run.tasks = try await tasks("t.run_id = \(id.rawValue)")
        return run
    }

    /// Run `id` without its tasks (their counts by state only): what a listing shows.
    public func runSummary(_ id: RunID, namespace: String) async throws(ProvenanceError) -> Run {
        let namespaceID = try await namespaceID(namespace)
        guard let run = try await runRows("r.id = \(id.rawValue) AND r.namespace_id = \(namespaceID.rawValue)", limit: 1).first else {
            throw .notFound("run \(id) not found")
        }
        return run
    }

    /// Task `id` with its attempts, inputs and outputs, without the rest of its run.
    public func task(_ id: TaskID, namespace: String) async throws(ProvenanceError) -> RunTask {
        let namespaceID = try await namespaceID(namespace)
        guard let task = try await tasks("t.id = \(id.rawValue) AND t.namespace_id = \(namespaceID.rawValue)").first else {
            throw .notFound("task \(id) not found")
        }
        return task
    }

    /// The tasks of run `id`, with their details.
    public func tasks(ofRun id: RunID, namespace: String) async throws(ProvenanceError) -> [RunTask] {
        _ = try await run(id, namespace: namespace)
        return try await tasks("t.run_id = \(id.rawValue)")
    }

    /// A page of runs, newest first (without their tasks).
    public func listRuns(namespace: String, filter: RunListFilter, size: Int, before: RunID?) async throws(ProvenanceError)
        -> Page<Run>
    {
        let namespaceID = try await namespaceID(namespace)
        let labels = Self.labelsText(filter.labels)
        let runs = try await runRows(
            """
            r.namespace_id = \(namespaceID.rawValue) AND (\(filter.pipeline)::text IS NULL OR p.name = \(filter.pipeline))
                AND (\(filter.state.map { Int64($0.rawValue) })::int8 IS NULL OR r.state = \(filter.state.map { Int64($0.rawValue) }))
                AND r.labels @> \(labels)::jsonb AND (\(before?.rawValue)::int8 IS NULL OR r.id < \(before?.rawValue))
            """, limit: size + 1)
        guard runs.count > size else { return Page(items: runs, next: nil) }
        let items = Array(runs.prefix(size))
        return Page(items: items, next: PageCursor(value: items[size - 1].id.rawValue, id: items[size - 1].id.rawValue))
    }

    // MARK: Rows

    private func runRows(_ condition: PostgresQuery, limit: Int, name: String = #function) async throws(ProvenanceError)
        -> [Run]
    {
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT r.id, p.name, v.digest, r.state, r.history::text, r.parameters::text, r.labels::text, r.cache,
                       p.context_id, r.context_id, \(Self.microseconds("r.create_time")), \(Self.microseconds("r.start_time")),
                       \(Self.microseconds("r.end_time")),
                       (SELECT coalesce(json_object_agg(c.state, c.n), '{}')::text
                        FROM (SELECT state, count(*) AS n FROM tasks WHERE run_id = r.id GROUP BY state) c)
                FROM runs r JOIN pipelines p ON p.id = r.pipeline_id JOIN pipeline_versions v ON v.id = r.version_id
                WHERE 
                """ + condition.sql + " ORDER BY r.id DESC LIMIT \(limit)",
            binds: condition.binds)
        return try await perform(name: name) { [self] connection in
            var runs: [Run] = []
            for try await row in try await connection.query(query, logger: logger) {
                var cells = CellReader(row)
                let (id, pipeline, digest, state) = (try cells.next(Int64.self), try cells.next(String.self), try cells.next(String.self), try cells.next(Int16.self))
                let history = try Self.history(try cells.next(String.self))
                let parameters = try TaskAdvance.object(try JSONParser.parse(try cells.next(String.self)))
                let labels = try Self.labels(try cells.next(String.self))
                runs.append(Run(
                    id: RunID(id), pipeline: pipeline, version: digest, state: RunState(rawValue: state) ?? .failed, history: history,
                    parameters: parameters, labels: labels, cache: try cells.next(Bool.self),
                    pipelineContextID: ContextID(try cells.next(Int64.self)), runContextID: ContextID(try cells.next(Int64.self)),
                    createTime: try cells.next(Int64.self), startTime: try cells.next(Int64?.self), endTime: try cells.next(Int64?.self),
                    taskCounts: try Self.taskCounts(try cells.next(String.self))))
            }
            return runs
        }
    }

    /// `{"3": 12, "2": 4}` (task state number to count) as counts by state.
    private static func taskCounts(_ text: String) throws -> [TaskState: Int] {
        var counts: [TaskState: Int] = [:]
        for (key, value) in try TaskAdvance.object(try JSONParser.parse(text)) {
            if let number = Int16(key), let state = TaskState(rawValue: number), case .int(let count) = value { counts[state] = Int(count) }
        }
        return counts
    }

    private static func history(_ text: String) throws -> [StateChange<RunState>] {
        guard case .array(let entries) = try JSONParser.parse(text) else { return [] }
        return entries.compactMap { entry in
            guard case .int(let state)? = entry["state"], case .int(let time)? = entry["time"],
                let runState = RunState(rawValue: Int16(clamping: state))
            else { return nil }
            let event: EngineEvent? = if case .string(let name)? = entry["event"] { EngineEvent(rawValue: name) } else { nil }
            return StateChange(state: runState, time: time, event: event)
        }
    }

    /// The tasks `condition` selects (on `tasks t`), in step order of creation, with their details.
    private func tasks(_ condition: PostgresQuery, name: String = #function) async throws(ProvenanceError) -> [RunTask] {
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT t.id, t.run_id, t.step, c.name, c.version, t.state, t.error, t.cached_from, t.fingerprint,
                       t.parameters::text, coalesce(t.inputs, '{}')::text, t.execution_id, \(Self.microseconds("t.create_time")),
                       \(Self.microseconds("t.queue_time")), \(Self.microseconds("t.start_time")), \(Self.microseconds("t.end_time")),
                       t.not_before > now(), \(Self.microseconds("t.not_before")), t.cpu, t.memory_mb, t.gpu, t.executor_labels::text,
                       ARRAY(SELECT u.step FROM task_edges e JOIN tasks u ON u.id = e.upstream_id
                             WHERE e.downstream_id = t.id AND u.state NOT IN (\(TaskState.succeeded.rawValue), \(TaskState.cached.rawValue))
                             ORDER BY u.step)
                FROM tasks t JOIN components c ON c.id = t.component_id
                WHERE 
                """ + condition.sql + " ORDER BY t.id",
            binds: condition.binds)
        let seconds = Self.seconds(options.executorLiveness)
        return try await perform(name: name) { [self] connection in
            var tasks: [RunTask] = []
            var needs: [Int64: (request: ResourceRequest, labels: [String: String])] = [:]
            var backoffUntil: [Int64: Int64] = [:]
            var waitingFor: [Int64: [String]] = [:]
            var inputIDs: [Int64: [String: Int64]] = [:]
            for try await row in try await connection.query(query, logger: logger) {
                var cells = CellReader(row)
                let (id, runID, step) = (try cells.next(Int64.self), try cells.next(Int64.self), try cells.next(String.self))
                let component = ComponentReference(name: try cells.next(String.self), version: try cells.next(String.self))
                let state = TaskState(rawValue: try cells.next(Int16.self)) ?? .failed
                let (error, cachedFrom, fingerprint) = (try cells.next(String?.self), try cells.next(Int64?.self), try cells.next(String?.self))
                let parameters = try TaskAdvance.object(try JSONParser.parse(try cells.next(String.self)))
                var inputs: [String: Int64] = [:]
                for (name, value) in try TaskAdvance.object(try JSONParser.parse(try cells.next(String.self))) {
                    if case .int(let artifact) = value { inputs[name] = artifact }
                }
                inputIDs[id] = inputs
                let execution = try cells.next(Int64?.self)
                let (created, queued, started, ended) = (try cells.next(Int64.self), try cells.next(Int64?.self), try cells.next(Int64?.self), try cells.next(Int64?.self))
                let (backingOff, notBefore) = (try cells.next(Bool.self), try cells.next(Int64.self))
                let request = ResourceRequest(
                    cpu: try cells.next(Double.self), memoryMB: Int(try cells.next(Int32.self)), gpu: Int(try cells.next(Int32.self)))
                let labels = try Self.labels(try cells.next(String.self))
                let upstream = try cells.next([String].self)
                if state == .queued {
                    if backingOff { backoffUntil[id] = notBefore } else { needs[id] = (request, labels) }
                } else if state == .pending {
                    waitingFor[id] = upstream
                }
                let task = RunTask(
                    id: TaskID(id), runID: RunID(runID), step: step, component: component, state: state, error: error,
                    cachedFrom: cachedFrom.map(TaskID.init), fingerprint: fingerprint, parameters: parameters,
                    executionID: execution.map(ExecutionID.init), createTime: created, queueTime: queued, startTime: started,
                    endTime: ended)
                tasks.append(task)
            }
            guard !tasks.isEmpty else { return tasks }
            let ids = tasks.map(\.id.rawValue)
            var attempts: [Int64: [TaskAttempt]] = [:]
            for try await row in try await connection.prepared(RunEngineSQL.RunAttempts.self, 
                """
                SELECT a.task_id, a.number, a.state, a.executor_id, x.name, a.execution_id, \(unescaped: Self.microseconds("a.start_time")),
                       \(unescaped: Self.microseconds("a.end_time")), \(unescaped: Self.microseconds("a.lease_expires")), a.exit_code, a.error
                FROM attempts a JOIN executors x ON x.id = a.executor_id WHERE a.task_id = ANY(\(ids))
                ORDER BY a.task_id, a.number
                """, logger: logger
            ) {
                var cells = CellReader(row)
                let (task, number, state) = (try cells.next(Int64.self), try cells.next(Int32.self), try cells.next(Int16.self))
                attempts[task, default: []].append(TaskAttempt(
                    number: Int(number), state: AttemptState(rawValue: state) ?? .failed,
                    executorID: ExecutorID(try cells.next(Int64.self)), executorName: try cells.next(String.self),
                    executionID: ExecutionID(try cells.next(Int64.self)), startTime: try cells.next(Int64.self),
                    endTime: try cells.next(Int64?.self), leaseExpires: try cells.next(Int64.self),
                    exitCode: try cells.next(Int32?.self).map(Int.init), error: try cells.next(String?.self)))
            }
            var outputs: [Int64: [(name: String, artifact: Int64)]] = [:]
            for try await (task, name, artifact) in try await connection.prepared(RunEngineSQL.RunOutputs.self, 
                "SELECT task_id, name, artifact_id FROM task_outputs WHERE task_id = ANY(\(ids)) ORDER BY task_id, name",
                logger: logger
            ).decode((Int64, String, Int64).self) { outputs[task, default: []].append((name, artifact)) }
            let artifactIDs = Array(Set(inputIDs.values.flatMap(\.values) + outputs.values.flatMap { $0.map(\.artifact) }))
            var artifacts: [Int64: (type: String, uri: String?)] = [:]
            if !artifactIDs.isEmpty {
                for try await (id, type, uri) in try await connection.prepared(RunEngineSQL.RunArtifacts.self, 
                    "SELECT a.id, ty.name, a.uri FROM artifacts a JOIN types ty ON ty.id = a.type_id WHERE a.id = ANY(\(artifactIDs))",
                    logger: logger
                ).decode((Int64, String, String?).self) { artifacts[id] = (type, uri) }
            }
            var executors: [ExecutorInfo] = []
            if !needs.isEmpty {
                for try await row in try await connection.prepared(RunEngineSQL.LiveExecutors.self, 
                    """
                    SELECT \(unescaped: Self.executorColumns) FROM executors
                    WHERE last_seen > now() - \(seconds)::float8 * interval '1 second'
                    """, logger: logger
                ) { executors.append(try Self.decodeExecutor(row)) }
            }
            func artifact(_ name: String, _ id: Int64) -> TaskArtifact {
                TaskArtifact(name: name, artifactID: ArtifactID(id), type: artifacts[id]?.type ?? "", uri: artifacts[id]?.uri)
            }
            for index in tasks.indices {
                let id = tasks[index].id.rawValue
                tasks[index].attempts = attempts[id] ?? []
                tasks[index].inputs = (inputIDs[id] ?? [:]).sorted { $0.key < $1.key }.map { artifact($0.key, $0.value) }
                tasks[index].outputs = (outputs[id] ?? []).map { artifact($0.name, $0.artifact) }
                if let upstream = waitingFor[id] {
                    tasks[index].waitReason = upstream.isEmpty ? "becoming ready" : "waiting for inputs from \(upstream.joined(separator: ", "))"
                } else if let until = backoffUntil[id] {
                    tasks[index].waitReason = "waiting to retry after its backoff, until \(until) µs since the epoch"
                } else if let need = needs[id] {
                    tasks[index].waitReason = Self.queueReason(need.request, labels: need.labels, executors: executors)
                }
            }
            return tasks
        }
    }

    /// Why a queued task waits: no attached executor could ever take it (and what it lacks), or every one that
    /// could is busy.
    static func queueReason(_ request: ResourceRequest, labels: [String: String], executors: [ExecutorInfo]) -> String {
        guard !executors.isEmpty else { return "no executor is attached" }
        let labelled = executors.filter { executor in labels.allSatisfy { executor.labels[$0.key] == $0.value } }
        guard !labelled.isEmpty else {
            let wanted = labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: ", ")
            return "no attached executor has the labels \(wanted)"
        }
        guard labelled.contains(where: { $0.capacity.fits(request) }) else {
            return "no attached executor with the right labels has enough capacity (it needs \(request.cpu) cpu, "
                + "\(request.memoryMB) MiB memory, \(request.gpu) gpu)"
        }
        return "waiting for a free executor slot"
    }
}
