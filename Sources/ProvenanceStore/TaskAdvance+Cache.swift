import PostgresNIO
import ProvenanceCore

/// Serving ready tasks from the cache: an earlier succeeded task with the same fingerprint (component, parameters
/// and input artifacts) lends its outputs.
extension TaskAdvance {
    struct CacheKey: Hashable {
        let namespaceID: NamespaceID
        let fingerprint: String
    }

    /// A succeeded task whose outputs a cache hit reuses.
    struct CacheSource {
        let taskID: TaskID
        var outputs: [(name: String, artifact: ArtifactID)]
    }

    /// A ready task served from the cache, to be recorded (`recordCacheHits`).
    struct CacheHit {
        let task: ReadyTask
        let inputs: [String: ArtifactID]
        let fingerprint: String
        let source: CacheSource
    }

    /// For each fingerprint, the newest succeeded task that had it, with its outputs: one statement.
    func cacheSources(_ keys: [(namespaceID: NamespaceID, fingerprint: String)]) async throws -> [CacheKey: CacheSource] {
        guard !keys.isEmpty else { return [:] }
        var sources: [CacheKey: CacheSource] = [:]
        let rows = try await connection.prepared(RunEngineSQL.CacheHits.self,
            """
            SELECT h.namespace_id, h.fingerprint, h.id, o.name, o.artifact_id
            FROM (SELECT DISTINCT ON (k.namespace_id, k.fingerprint) k.namespace_id, k.fingerprint, t.id
                  FROM unnest(\(keys.map(\.namespaceID))::int8[], \(keys.map(\.fingerprint))::text[]) AS k(namespace_id, fingerprint)
                      JOIN tasks t ON t.namespace_id = k.namespace_id AND t.fingerprint = k.fingerprint
                          AND t.state = \(unescaped: TaskAdvance.literals([.succeeded]))
                  ORDER BY k.namespace_id, k.fingerprint, t.id DESC) h
                LEFT JOIN task_outputs o ON o.task_id = h.id
            ORDER BY h.namespace_id, h.fingerprint, o.name
            """, logger: logger)
        for try await (namespaceID, fingerprint, id, name, artifact) in rows.decode((NamespaceID, String, TaskID, String?, ArtifactID?).self) {
            let key = CacheKey(namespaceID: namespaceID, fingerprint: fingerprint)
            var source = sources[key] ?? CacheSource(taskID: id, outputs: [])
            if let name, let artifact { source.outputs.append((name, artifact)) }
            sources[key] = source
        }
        return sources
    }

    /// Records cache hits (of one namespace): each reuses its source task's outputs, gets an MLMD execution (state
    /// CACHED) with the events of what it read and reused, and is done. A few statements for any number of hits.
    func recordCacheHits(_ hits: [CacheHit]) async throws {
        guard !hits.isEmpty else { return }
        var lineage = AttemptLineage()
        for hit in hits {
            let execution = lineage.execution(
                type: hit.task.executionTypeID.rawValue, state: ExecutionState.cached.rawValue,
                properties: PipelineMetadata.attemptProperties(
                    run: hit.task.runID, task: hit.task.id, step: hit.task.step, attempt: 0,
                    component: hit.task.component),
                context: hit.task.runContextID.rawValue)
            for (_, artifact) in hit.inputs.sorted(by: { $0.key < $1.key }) {
                lineage.event(execution: execution, artifact: artifact.rawValue, type: .input)
            }
            for output in hit.source.outputs {
                lineage.event(execution: execution, artifact: output.artifact.rawValue, type: .output, attributedTo: hit.task.runContextID.rawValue)
            }
        }
        let result = try await store.write(lineage.write, namespaceID: hits[0].task.namespaceID, on: connection)
        var taskIDs: [TaskID] = [], names: [String] = [], artifacts: [ArtifactID] = []
        for hit in hits {
            for output in hit.source.outputs {
                taskIDs.append(hit.task.id)
                names.append(output.name)
                artifacts.append(output.artifact)
            }
        }
        try await connection.prepared(RunEngineSQL.CachedOutputs.self,
            """
            INSERT INTO task_outputs (task_id, name, artifact_id)
            SELECT * FROM unnest(\(taskIDs)::int8[], \(names)::text[], \(artifacts)::int8[])
            """, logger: logger)
        try await connection.prepared(RunEngineSQL.CachedTasks.self,
            """
            WITH ended AS (
                UPDATE tasks t SET \(unescaped: StateTransitionSQL.set(TaskState.cached, on: .cacheHit)), cached_from = h.source,
                    execution_id = h.execution, inputs = h.inputs::jsonb, fingerprint = h.fingerprint, queue_time = now(),
                    start_time = now(), end_time = now()
                FROM unnest(\(hits.map(\.task.id))::int8[], \(hits.map(\.source.taskID))::int8[], \(result.executionIDs)::int8[],
                            \(hits.map { Self.inputsText($0.inputs) })::text[], \(hits.map(\.fingerprint))::text[])
                    AS h(id, source, execution, inputs, fingerprint)
                WHERE t.id = h.id AND \(unescaped: StateTransitionSQL.from(TaskState.cached, on: .cacheHit, alias: "t"))
                RETURNING t.run_id
            )
            \(unescaped: Self.countEnded)
            """, logger: logger)
    }
}
