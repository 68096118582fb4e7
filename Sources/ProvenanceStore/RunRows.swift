import PostgresNIO
import ProvenanceCore

/// A run as the run reads select it: a row of `columns` over `runs r`, `pipelines p` and `pipeline_versions v`.
struct RunRow {
    let run: Run

    static let columns = """
        r.id, p.name, v.digest, r.state, r.history::text, r.parameters::text, r.labels::text, r.cache,
        p.context_id, r.context_id, \(PostgresStore.microseconds("r.create_time")), \(PostgresStore.microseconds("r.start_time")),
        \(PostgresStore.microseconds("r.end_time")),
        (SELECT coalesce(json_object_agg(c.state, c.n), '{}')::text
         FROM (SELECT state, count(*) AS n FROM tasks WHERE run_id = r.id GROUP BY state) c),
        (SELECT s.name FROM schedules s WHERE s.id = r.schedule_id), \(PostgresStore.microseconds("r.scheduled_time")),
        r.parameter_sources::text
        """

    init(_ row: PostgresRow) throws {
        var columns = row.makeIterator()
        func next<Value: PostgresDecodable>(_: Value.Type) throws -> Value { try columns.next()!.decode(Value.self) }
        let (id, pipeline, digest, state) = (try next(RunID.self), try next(String.self), try next(String.self), try next(Int16.self))
        let (history, parameters, labels, cache) = (try next(String.self), try next(String.self), try next(String.self), try next(Bool.self))
        let (pipelineContextID, runContextID) = (try next(ContextID.self), try next(ContextID.self))
        let (created, started, ended) = (try next(Int64.self), try next(Int64?.self), try next(Int64?.self))
        let (taskCounts, scheduleName, scheduledTime) = (try next(String.self), try next(String?.self), try next(Int64?.self))
        let sources = try next(String?.self)
        run = Run(
            id: id, pipeline: pipeline, version: digest, state: RunState(rawValue: state) ?? .failed,
            history: try Self.history(history), parameters: try TaskAdvance.object(try JSONParser.parse(parameters)),
            labels: try PostgresStore.labels(labels), cache: cache, pipelineContextID: pipelineContextID,
            runContextID: runContextID, createTime: created, startTime: started, endTime: ended,
            taskCounts: try Self.taskCounts(taskCounts),
            schedule: scheduledTime.map { RunSchedule(name: scheduleName, scheduledTime: $0) },
            parameterSources: try sources.map(Self.parameterSources) ?? [:])
    }

    /// `{"epochs": {"from": "layer", ...}}` as sources by parameter.
    private static func parameterSources(_ text: String) throws -> [String: ParameterSource] {
        var sources: [String: ParameterSource] = [:]
        for (name, value) in try TaskAdvance.object(try JSONParser.parse(text)) { sources[name] = ParameterSource(json: value) }
        return sources
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
}

/// A task as the run reads select it: a row of `columns` over `tasks t` and `components c`, with what run details
/// need to say why it waits.
struct TaskRow {
    var task: RunTask
    let inputIDs: [String: ArtifactID]
    let backingOff: Bool
    let notBefore: Int64
    let request: ResourceRequest
    let labels: [String: String]
    /// Its upstream steps that have not produced their outputs.
    let waitingFor: [String]

    static let columns = """
        t.id, t.run_id, t.step, c.name, c.version, t.state, t.error, t.cached_from, t.fingerprint,
        t.parameters::text, coalesce(t.inputs, '{}')::text, t.execution_id, \(PostgresStore.microseconds("t.create_time")),
        \(PostgresStore.microseconds("t.queue_time")), \(PostgresStore.microseconds("t.start_time")),
        \(PostgresStore.microseconds("t.end_time")), t.not_before > now(), \(PostgresStore.microseconds("t.not_before")),
        t.cpu, t.memory_mb, t.gpu, t.executor_labels::text,
        ARRAY(SELECT u.step FROM task_edges e JOIN tasks u ON u.id = e.upstream_id
              WHERE e.downstream_id = t.id AND u.state NOT IN (\(TaskState.succeeded.rawValue), \(TaskState.cached.rawValue))
              ORDER BY u.step)
        """

    init(_ row: PostgresRow) throws {
        let (id, runID, step, componentName, componentVersion, state, error, cachedFrom, fingerprint, parameters, inputs,
             execution, created, queued, started, ended, backingOff, notBefore, cpu, memoryMB, gpu, labels, waitingFor) =
            try row.decode((TaskID, RunID, String, String, String, Int16, String?, TaskID?, String?, String, String,
                            ExecutionID?, Int64, Int64?, Int64?, Int64?, Bool, Int64, Double, Int32, Int32, String, [String]).self)
        task = RunTask(
            id: id, runID: runID, step: step,
            component: ComponentReference(name: componentName, version: componentVersion),
            state: TaskState(rawValue: state) ?? .failed, error: error, cachedFrom: cachedFrom,
            fingerprint: fingerprint, parameters: try TaskAdvance.object(try JSONParser.parse(parameters)),
            executionID: execution, createTime: created, queueTime: queued, startTime: started,
            endTime: ended)
        inputIDs = try TaskAdvance.artifactIDs(inputs)
        (self.backingOff, self.notBefore) = (backingOff, notBefore)
        request = ResourceRequest(cpu: cpu, memoryMB: Int(memoryMB), gpu: Int(gpu))
        self.labels = try PostgresStore.labels(labels)
        self.waitingFor = waitingFor
        task.resources = request
        task.executorLabels = self.labels
    }
}

/// An attempt as the run reads select it: a row of `columns` over `attempts a` and `executors x`.
struct AttemptRow {
    let taskID: TaskID
    let attempt: TaskAttempt

    static let columns = """
        a.task_id, a.number, a.state, a.executor_id, x.name, a.execution_id, \(PostgresStore.microseconds("a.start_time")),
        \(PostgresStore.microseconds("a.end_time")), \(PostgresStore.microseconds("a.lease_expires")), a.exit_code, a.error
        """

    init(_ row: PostgresRow) throws {
        let (taskID, number, state, executorID, executorName, executionID, started, ended, leaseExpires, exitCode, error) =
            try row.decode((TaskID, Int32, Int16, ExecutorID, String, ExecutionID, Int64, Int64?, Int64, Int32?, String?).self)
        self.taskID = taskID
        attempt = TaskAttempt(
            number: Int(number), state: AttemptState(rawValue: state) ?? .failed, executorID: executorID,
            executorName: executorName, executionID: executionID, startTime: started, endTime: ended,
            leaseExpires: leaseExpires, exitCode: exitCode.map(Int.init), error: error)
    }
}
