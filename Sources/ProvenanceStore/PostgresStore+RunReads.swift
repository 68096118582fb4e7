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
    /// Only runs this schedule made.
    public var schedule: String?

    /// Creates a filter; the default shows every run.
    public init(pipeline: String? = nil, state: RunState? = nil, labels: [String: String] = [:], schedule: String? = nil) {
        self.pipeline = pipeline
        self.state = state
        self.labels = labels
        self.schedule = schedule
    }

    /// A stable description, binding page tokens to the listing that issued them.
    public var fingerprint: String {
        "p=\(pipeline ?? "\u{0}")|s=\(state.map { String($0.rawValue) } ?? "-")|l=\(PostgresStore.labelsText(labels))|sc=\(schedule ?? "\u{0}")"
    }
}

extension PostgresStore {
    /// Run `id` with its tasks, each with its attempts, inputs, outputs and why it waits: the run-details document.
    public func run(_ id: RunID, namespace: String) async throws(ProvenanceError) -> Run {
        let namespaceID = try await namespaceID(namespace)
        guard var run = try await runByID(id, namespaceID: namespaceID) else { throw .notFound("run \(id) not found") }
        run.tasks = try await tasks(StoreReadSQL.TasksOfRun.self, "t.run_id = \(id.rawValue)")
        return run
    }

    /// Run `id` without its tasks (their counts by state only): what a listing shows.
    public func runSummary(_ id: RunID, namespace: String) async throws(ProvenanceError) -> Run {
        let namespaceID = try await namespaceID(namespace)
        guard let run = try await runByID(id, namespaceID: namespaceID) else {
            throw .notFound("run \(id) not found")
        }
        return run
    }

    /// Task `id` with its attempts, inputs and outputs, without the rest of its run.
    public func task(_ id: TaskID, namespace: String) async throws(ProvenanceError) -> RunTask {
        let namespaceID = try await namespaceID(namespace)
        guard
            let task = try await tasks(
                StoreReadSQL.TaskInNamespace.self, "t.id = \(id.rawValue) AND t.namespace_id = \(namespaceID.rawValue)"
            ).first
        else {
            throw .notFound("task \(id) not found")
        }
        return task
    }

    /// The tasks of run `id`, with their details.
    public func tasks(ofRun id: RunID, namespace: String) async throws(ProvenanceError) -> [RunTask] {
        _ = try await run(id, namespace: namespace)
        return try await tasks(StoreReadSQL.TasksOfRun.self, "t.run_id = \(id.rawValue)")
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
                AND (\(filter.schedule)::text IS NULL
                     OR r.schedule_id = (SELECT id FROM schedules WHERE namespace_id = \(namespaceID.rawValue) AND name = \(filter.schedule)))
            """, limit: size + 1)
        guard runs.count > size else { return Page(items: runs, next: nil) }
        let items = Array(runs.prefix(size))
        return Page(items: items, next: PageCursor(value: items[size - 1].id.rawValue, id: items[size - 1].id.rawValue))
    }

    // MARK: Rows

    /// The runs `condition` selects (on `runs r`, `pipelines p` and `pipeline_versions v`), newest first, at most
    /// `limit`. A listing's condition changes with its filters, so it runs as a one-off query, planned for its
    /// values.
    private func runRows(_ condition: PostgresQuery, limit: Int, name: String = #function) async throws(ProvenanceError)
        -> [Run]
    {
        let query = Self.runQuery(condition, limit: limit)
        return try await perform(name: name) { [self] connection in
            var runs: [Run] = []
            for try await row in try await connection.query(query, logger: logger) { runs.append(try RunRow(row).run) }
            return runs
        }
    }

    /// Run `id` in the namespace, read by a prepared statement (run details and every answer about one run read it).
    private func runByID(_ id: RunID, namespaceID: NamespaceID, name: String = #function) async throws(ProvenanceError)
        -> Run?
    {
        let query = Self.runQuery("r.id = \(id.rawValue) AND r.namespace_id = \(namespaceID.rawValue)", limit: 1)
        return try await perform(name: name) { [self] connection in
            var runs: [Run] = []
            for try await row in try await connection.prepared(StoreReadSQL.RunByID.self, query, logger: logger) {
                runs.append(try RunRow(row).run)
            }
            return runs.first
        }
    }

    private static func runQuery(_ condition: PostgresQuery, limit: Int) -> PostgresQuery {
        var binds = condition.binds
        binds.append(Int64(limit))
        return PostgresQuery(
            unsafeSQL: """
                SELECT \(RunRow.columns)
                FROM runs r JOIN pipelines p ON p.id = r.pipeline_id JOIN pipeline_versions v ON v.id = r.version_id
                WHERE 
                """ + condition.sql + " ORDER BY r.id DESC LIMIT $\(binds.count)",
            binds: binds)
    }

    /// The tasks `condition` selects (on `tasks t`), in step order of creation, with their details; `statement`
    /// names the prepared statement of that condition.
    private func tasks<Statement: PreparedQueryName>(
        _ statement: Statement.Type, _ condition: PostgresQuery, name: String = #function
    ) async throws(ProvenanceError) -> [RunTask] {
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT \(TaskRow.columns)
                FROM tasks t JOIN components c ON c.id = t.component_id
                WHERE 
                """ + condition.sql + " ORDER BY t.id",
            binds: condition.binds)
        let seconds = Self.seconds(options.executorLiveness)
        return try await perform(name: name) { [self] connection in
            var tasks: [RunTask] = []
            var needs: [TaskID: (request: ResourceRequest, labels: [String: String])] = [:]
            var backoffUntil: [TaskID: Int64] = [:]
            var waitingFor: [TaskID: [String]] = [:]
            var inputIDs: [TaskID: [String: ArtifactID]] = [:]
            for try await row in try await connection.prepared(statement, query, logger: logger) {
                let found = try TaskRow(row)
                let id = found.task.id
                inputIDs[id] = found.inputIDs
                if found.task.state == .queued {
                    if found.backingOff { backoffUntil[id] = found.notBefore } else { needs[id] = (found.request, found.labels) }
                } else if found.task.state == .pending {
                    waitingFor[id] = found.waitingFor
                }
                tasks.append(found.task)
            }
            guard !tasks.isEmpty else { return tasks }
            let ids = tasks.map(\.id)
            var attempts: [TaskID: [TaskAttempt]] = [:]
            for try await row in try await connection.prepared(RunEngineSQL.RunAttempts.self, 
                """
                SELECT \(unescaped: AttemptRow.columns)
                FROM attempts a JOIN executors x ON x.id = a.executor_id WHERE a.task_id = ANY(\(ids))
                ORDER BY a.task_id, a.number
                """, logger: logger
            ) {
                let found = try AttemptRow(row)
                attempts[found.taskID, default: []].append(found.attempt)
            }
            var outputs: [TaskID: [(name: String, artifact: ArtifactID)]] = [:]
            for try await (task, name, artifact) in try await connection.prepared(RunEngineSQL.RunOutputs.self, 
                "SELECT task_id, name, artifact_id FROM task_outputs WHERE task_id = ANY(\(ids)) ORDER BY task_id, name",
                logger: logger
            ).decode((TaskID, String, ArtifactID).self) { outputs[task, default: []].append((name, artifact)) }
            let artifactIDs = Array(Set(inputIDs.values.flatMap(\.values) + outputs.values.flatMap { $0.map(\.artifact) }))
            var artifacts: [ArtifactID: (type: String, uri: String?)] = [:]
            if !artifactIDs.isEmpty {
                for try await (id, type, uri) in try await connection.prepared(RunEngineSQL.RunArtifacts.self, 
                    "SELECT a.id, ty.name, a.uri FROM artifacts a JOIN types ty ON ty.id = a.type_id WHERE a.id = ANY(\(artifactIDs))",
                    logger: logger
                ).decode((ArtifactID, String, String?).self) { artifacts[id] = (type, uri) }
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
            func artifact(_ name: String, _ id: ArtifactID) -> TaskArtifact {
                TaskArtifact(name: name, artifactID: id, type: artifacts[id]?.type ?? "", uri: artifacts[id]?.uri)
            }
            for index in tasks.indices {
                let id = tasks[index].id
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
