import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Starts a run: in one transaction, the run, its MLMD PipelineRun context (a child of the pipeline's), the
    /// artifacts its URI inputs name, and one task per step; tasks that wait for nothing are made ready at once
    /// (queued, or done from the cache). Returns the run's id.
    public func submitRun(_ request: RunRequest, namespace: String) async throws(ProvenanceError) -> RunID {
        let submission = try await prepareRun(request, namespace: namespace)
        return try await transactionFinishingRuns { [self] connection in
            try await submission.insert(on: connection, store: self)
        }
    }

    /// Everything a run's submission reads (the pipeline version, its components, the run's plan, the types it
    /// needs), read outside the transaction that writes it; `fire` names the schedule's fire that makes it.
    /// `version` is the request's pipeline version when the caller read it already.
    func prepareRun(
        _ request: RunRequest, namespace: String, version known: StoredPipelineVersion? = nil, fire: ScheduledFire? = nil
    ) async throws(ProvenanceError) -> RunSubmission {
        try request.validate()
        let namespaceID = try await namespaceID(namespace)
        let version: StoredPipelineVersion
        if let known { version = known } else {
            version = try await pipelineVersion(request.pipeline, digest: request.version, namespace: namespace)
        }
        let components = try await components(Array(Set(version.spec.steps.map(\.component))), namespaceID: namespaceID)
        let layers = try await candidateLayers(namespaceID: namespaceID, pipeline: request.pipeline, labels: request.labels)
        let resolved = try ResolvedParameters(pipeline: version.spec, labels: request.labels, given: request.parameters, layers: layers)
        let specs = components.mapValues(\.spec)
        var plan = try RunPlan(version.spec, parameters: resolved.given, components: specs, cache: request.cache)
        let templates = try await templatesForPlan(specs, swaps: resolved.templates, namespaceID: namespaceID)
        try plan.applyTemplates(components: specs, swaps: resolved.templates, templates: templates)
        let runContextType = try await engineType(
            NodeType(kind: .context, name: PipelineMetadata.runContextType), namespace: namespace).id
        let uriTypes = Self.uriInputs(plan, components: components)
        var uriArtifactTypes: [String: TypeID] = [:]
        for typeName in Set(uriTypes.values) {
            uriArtifactTypes[typeName] = try await engineType(PipelineMetadata.artifactType(typeName), namespace: namespace).id
        }
        return RunSubmission(
            namespaceID: namespaceID, version: version, plan: plan, components: components, labels: request.labels,
            cache: request.cache, runContextType: runContextType, uriInputTypes: uriTypes, artifactTypes: uriArtifactTypes,
            fire: fire, parameterSources: resolved.sources)
    }

    /// The URIs the plan's inputs name, each with the artifact type of the input it feeds.
    private static func uriInputs(_ plan: RunPlan, components: [ComponentReference: StoredComponent]) -> [String: String] {
        var types: [String: String] = [:]
        for task in plan.tasks {
            for (name, source) in task.inputs {
                if case .uri(let uri) = source, let type = components[task.component]?.spec.inputs.named(name)?.type {
                    types[uri] = type
                }
            }
        }
        return types
    }
}

/// The schedule's fire a run is made for.
struct ScheduledFire: Sendable {
    let schedule: ScheduleID
    /// The fire's nominal time, microseconds since the epoch.
    let nominalTime: Int64
}

/// The rows one run submission writes (see `PostgresStore.submitRun`).
struct RunSubmission: Sendable {
    let namespaceID: NamespaceID
    let version: StoredPipelineVersion
    let plan: RunPlan
    let components: [ComponentReference: StoredComponent]
    let labels: [String: String]
    let cache: Bool
    let runContextType: TypeID
    /// The artifact type of each URI an input names.
    let uriInputTypes: [String: String]
    /// Artifact type ids by name.
    let artifactTypes: [String: TypeID]
    let fire: ScheduledFire?
    /// Where each parameter came from (the run, a layer, the default).
    let parameterSources: [String: ParameterSource]

    func insert(on connection: PostgresConnection, store: PostgresStore) async throws -> (result: RunID, runs: Set<RunID>) {
        let logger = store.logger
        let parameters = JSONWriter.string(.object(plan.parameters.keys.sorted().map { (key: $0, value: plan.parameters[$0]!) }))
        let labelText = JSONWriter.string(.object(labels.keys.sorted().map { (key: $0, value: .string(labels[$0]!)) }))
        let sourcesText = JSONWriter.string(.object(parameterSources.keys.sorted().map { (key: $0, value: parameterSources[$0]!.json) }))
        var runID = RunID(0)
        for try await id in try await connection.prepared(RunEngineSQL.InsertRun.self, 
            """
            INSERT INTO runs (namespace_id, pipeline_id, version_id, state, parameters, labels, cache, context_id, history,
                              schedule_id, scheduled_time, parameter_sources)
            VALUES (\(namespaceID), \(version.pipelineID), \(version.versionID),
                    \(unescaped: StateTransitionSQL.initial(RunState.self)), \(parameters)::jsonb, \(labelText)::jsonb, \(cache), 0,
                    \(unescaped: StateTransitionSQL.submittedHistory), \(fire?.schedule),
                    timestamptz 'epoch' + \(fire?.nominalTime)::int8 * interval '1 microsecond', \(sourcesText)::jsonb)
            RETURNING id
            """, logger: logger
        ).decode(RunID.self) { runID = id }
        let (runContext, uriArtifacts) = try await recordContext(run: runID, on: connection, store: store)
        try await connection.prepared(RunEngineSQL.RunParentContext.self, 
            """
            INSERT INTO parent_contexts (child_id, parent_id) VALUES (\(runContext), \(version.contextID))
            ON CONFLICT DO NOTHING
            """, logger: logger)
        try await connection.prepared(
            RunEngineSQL.RunContext.self,
            "UPDATE runs SET context_id = \(runContext), unfinished_tasks = \(Int32(plan.tasks.count)) WHERE id = \(runID)",
            logger: logger)
        let taskIDs = try await insertTasks(run: runID, uriArtifacts: uriArtifacts, on: connection, logger: store.logger)
        let roots = plan.tasks.filter(\.upstream.isEmpty).compactMap { taskIDs[$0.step] }
        let advance = TaskAdvance(store: store, connection: connection)
        let released = try await advance.release(roots)
        return (runID, released.runs)
    }

    /// The run's PipelineRun context, and the artifacts its URI inputs name (recorded now if no artifact of the
    /// input's type has the URI).
    private func recordContext(run: RunID, on connection: PostgresConnection, store: PostgresStore) async throws
        -> (context: ContextID, uriArtifacts: [String: ArtifactID])
    {
        var write = LineageWrite(attributions: [], associations: [])
        write.contexts = [.create(NodeDraft(
            kind: .context, type: .id(runContextType),
            name: PipelineMetadata.runContextName(pipeline: version.spec.name, run: run)))]
        var uris: [String] = []
        for (uri, type) in uriInputTypes.sorted(by: { $0.key < $1.key }) {
            let rows = try await connection.query(
                """
                SELECT a.id FROM artifacts a
                WHERE a.namespace_id = \(namespaceID) AND a.uri = \(uri) AND a.type_id = \(artifactTypes[type]!)
                ORDER BY a.id DESC LIMIT 1
                """, logger: store.logger)
            var existing: ArtifactID?
            for try await id in rows.decode(ArtifactID.self) { existing = id }
            if let existing {
                write.artifacts.append(.update(id: existing.rawValue, NodePatch()))
            } else {
                write.artifacts.append(.create(NodeDraft(
                    kind: .artifact, type: .id(artifactTypes[type]!), uri: uri,
                    state: ArtifactState.live.rawValue)))
            }
            write.attributions!.append(IndexLink(contextIndex: 0, nodeIndex: uris.count))
            uris.append(uri)
        }
        let result = try await store.write(write, namespaceID: namespaceID, on: connection)
        var artifacts: [String: ArtifactID] = [:]
        for (offset, uri) in uris.enumerated() { artifacts[uri] = result.artifactIDs[offset] }
        return (result.contextIDs[0], artifacts)
    }

    /// Inserts one task per step and the edges between them; returns the tasks' ids by step.
    private func insertTasks(run: RunID, uriArtifacts: [String: ArtifactID], on connection: PostgresConnection, logger: Logger)
        async throws -> [String: TaskID]
    {
        var steps: [String] = [], componentIDs: [ComponentID] = [], waiting: [Int32] = [], parameterTexts: [String] = []
        var sourceTexts: [String] = [], caches: [Bool] = [], cpus: [Double] = [], memories: [Int32] = [], gpus: [Int32] = []
        var labelTexts: [String] = [], attempts: [Int32] = []
        for task in plan.tasks {
            steps.append(task.step)
            componentIDs.append(components[task.component]!.id)
            waiting.append(Int32(task.upstream.count))
            parameterTexts.append(JSONWriter.string(.object(task.parameters.keys.sorted().map { (key: $0, value: task.parameters[$0]!) })))
            sourceTexts.append(JSONWriter.string(.object(task.inputs.keys.sorted().map { name in
                var source = task.inputs[name]!
                if case .uri(let uri) = source, let id = uriArtifacts[uri] { source = .artifact(id) }
                return (key: name, value: source.json)
            })))
            caches.append(task.cache)
            cpus.append(task.resources.cpu)
            memories.append(Int32(clamping: task.resources.memoryMB))
            gpus.append(Int32(clamping: task.resources.gpu))
            labelTexts.append(JSONWriter.string(.object(task.executorLabels.keys.sorted().map { (key: $0, value: .string(task.executorLabels[$0]!)) })))
            attempts.append(Int32(clamping: task.maxAttempts))
        }
        var ids: [String: TaskID] = [:]
        let rows = try await connection.prepared(RunEngineSQL.InsertTasks.self, 
            """
            INSERT INTO tasks (run_id, namespace_id, step, component_id, state, waiting_on, parameters, input_sources,
                               cache, cpu, memory_mb, gpu, executor_labels, max_attempts)
            SELECT \(run), \(namespaceID), t.step, t.component_id, \(unescaped: StateTransitionSQL.initial(TaskState.self)), t.waiting_on,
                   t.parameters::jsonb, t.sources::jsonb, t.cache, t.cpu, t.memory_mb, t.gpu, t.labels::jsonb, t.attempts
            FROM unnest(\(steps)::text[], \(componentIDs)::int8[], \(waiting)::int4[], \(parameterTexts)::text[],
                        \(sourceTexts)::text[], \(caches)::bool[], \(cpus)::float8[], \(memories)::int4[], \(gpus)::int4[],
                        \(labelTexts)::text[], \(attempts)::int4[])
                AS t(step, component_id, waiting_on, parameters, sources, cache, cpu, memory_mb, gpu, labels, attempts)
            RETURNING id, step
            """, logger: logger)
        for try await (id, step) in rows.decode((TaskID, String).self) { ids[step] = id }
        var upstream: [TaskID] = [], downstream: [TaskID] = []
        for task in plan.tasks {
            for name in task.upstream {
                upstream.append(ids[name]!)
                downstream.append(ids[task.step]!)
            }
        }
        if !upstream.isEmpty {
            try await connection.prepared(RunEngineSQL.InsertEdges.self, 
                """
                INSERT INTO task_edges (upstream_id, downstream_id)
                SELECT * FROM unnest(\(upstream)::int8[], \(downstream)::int8[])
                """, logger: logger)
        }
        return ids
    }
}
