import ProvenanceCore

/// Runs and their tasks on the wire: the run-details document a dashboard reads (state and its history, the
/// parameters and labels, every task with its attempts, inputs, outputs, executions and why it waits).
/// Times are milliseconds since the epoch, as in the rest of the API.
public enum WireRun {
    /// The members of a run request.
    static let requestFields = ["pipeline", "version", "parameters", "labels", "cache"]

    /// `{"pipeline", "version"?, "parameters"?, "labels"?, "cache"?}`.
    public static func request(_ json: JSON) throws(ProvenanceError) -> RunRequest {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(requestFields)
        var request = RunRequest(pipeline: try reader.requiredString("pipeline"), version: try reader.string("version"))
        for member in try reader.members("parameters") ?? [] { request.parameters[member.key] = member.value }
        for member in try reader.members("labels") ?? [] {
            guard case .string(let value) = member.value else {
                throw .invalid("labels.\(member.key)", "expected a string, got \(member.value.kindName)")
            }
            request.labels[member.key] = value
        }
        request.cache = try reader.bool("cache") ?? true
        return request
    }

    /// The JSON of a run request.
    public static func json(_ request: RunRequest) -> JSON {
        var members: [(key: String, value: JSON)] = [(key: "pipeline", value: .string(request.pipeline))]
        if let version = request.version { members.append((key: "version", value: .string(version))) }
        members.append((key: "parameters", value: .object(request.parameters.keys.sorted().map { (key: $0, value: request.parameters[$0]!) })))
        members.append((key: "labels", value: labels(request.labels)))
        members.append((key: "cache", value: .bool(request.cache)))
        return .object(members)
    }

    /// One entry of a run's history: its state, when, and (when recorded) the event that caused it.
    static func historyEntry(_ change: StateChange<RunState>) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "state", value: .string(change.state.name)), (key: "time_since_epoch", value: .int(change.time / 1000)),
        ]
        if let event = change.event { members.append((key: "event", value: .string(event.rawValue))) }
        return .object(members)
    }

    /// The run-details document: the run's `summary` and every task.
    public static func json(_ run: Run, namespace: String) -> JSON {
        guard case .object(var members) = summary(run) else { return summary(run) }
        members.append((key: "tasks", value: .array(run.tasks.map { json($0, namespace: namespace) })))
        return .object(members)
    }

    /// A run without its tasks (their counts by state only), as listings and submissions answer.
    public static func summary(_ run: Run) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "id", value: .int(run.id.rawValue)), (key: "pipeline", value: .string(run.pipeline)),
            (key: "version", value: .string(run.version)), (key: "state", value: .string(run.state.name)),
            (key: "history", value: .array(run.history.map(historyEntry))),
            (key: "parameters", value: .object(run.parameters.keys.sorted().map { (key: $0, value: run.parameters[$0]!) })),
            (key: "parameter_sources", value: .object(run.parameterSources.keys.sorted().map { (key: $0, value: run.parameterSources[$0]!.json) })),
            (key: "labels", value: labels(run.labels)), (key: "cache", value: .bool(run.cache)),
            (key: "context_ids", value: ["pipeline": .int(run.pipelineContextID.rawValue), "run": .int(run.runContextID.rawValue)]),
        ]
        members += times(create: run.createTime, start: run.startTime, end: run.endTime)
        members.append((key: "task_counts", value: .object(TaskState.allCases.compactMap { state in
            run.taskCounts[state].map { (key: state.name, value: .int(Int64($0))) }
        })))
        if let schedule = run.schedule {
            var fire: [(key: String, value: JSON)] = []
            if let name = schedule.name { fire.append((key: "name", value: .string(name))) }
            fire.append((key: "scheduled_time", value: .string(RFC3339Time.text(microseconds: schedule.scheduledTime, fraction: false))))
            fire.append((key: "scheduled_time_since_epoch", value: .int(schedule.scheduledTime / 1000)))
            members.append((key: "schedule", value: .object(fire)))
        }
        return .object(members)
    }

    /// One task, with its attempts (each with where its logs are).
    public static func json(_ task: RunTask, namespace: String) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "id", value: .int(task.id.rawValue)), (key: "run_id", value: .int(task.runID.rawValue)),
            (key: "step", value: .string(task.step)), (key: "component", value: .string(task.component.description)),
            (key: "state", value: .string(task.state.name)),
        ]
        if let reason = task.waitReason { members.append((key: "wait_reason", value: .string(reason))) }
        if let error = task.error { members.append((key: "error", value: .string(error))) }
        members.append((key: "cache_hit", value: .bool(task.cachedFrom != nil)))
        if let source = task.cachedFrom { members.append((key: "cached_from", value: .int(source.rawValue))) }
        if let fingerprint = task.fingerprint { members.append((key: "fingerprint", value: .string(fingerprint))) }
        members.append((key: "parameters", value: .object(task.parameters.keys.sorted().map { (key: $0, value: task.parameters[$0]!) })))
        members.append((key: "inputs", value: .array(task.inputs.map(json))))
        members.append((key: "outputs", value: .array(task.outputs.map(json))))
        if let execution = task.executionID { members.append((key: "execution_id", value: .int(execution.rawValue))) }
        members.append((key: "resources", value: [
            "cpu": .double(task.resources.cpu), "memory_mb": .int(Int64(task.resources.memoryMB)), "gpu": .int(Int64(task.resources.gpu)),
        ]))
        members.append((key: "executor_labels", value: labels(task.executorLabels)))
        members.append((key: "attempts", value: .array(task.attempts.map { attempt in
            var fields: [(key: String, value: JSON)] = [
                (key: "number", value: .int(Int64(attempt.number))), (key: "state", value: .string(attempt.state.name)),
                (key: "executor", value: ["id": .int(attempt.executorID.rawValue), "name": .string(attempt.executorName)]),
                (key: "execution_id", value: .int(attempt.executionID.rawValue)),
            ]
            fields += times(create: nil, start: attempt.startTime, end: attempt.endTime)
            if attempt.state == .running {
                fields.append((key: "lease_expires_since_epoch", value: .int(attempt.leaseExpires / 1000)))
            }
            if let code = attempt.exitCode { fields.append((key: "exit_code", value: .int(Int64(code)))) }
            if let error = attempt.error { fields.append((key: "error", value: .string(error))) }
            fields.append((
                key: "logs", value: .string("/api/v1/namespaces/\(namespace)/tasks/\(task.id.rawValue)/logs?attempt=\(attempt.number)")))
            return .object(fields)
        })))
        members += times(create: task.createTime, start: task.startTime, end: task.endTime)
        if let queued = task.queueTime { members.append((key: "queue_time_since_epoch", value: .int(queued / 1000))) }
        return .object(members)
    }

    /// `{"name", "artifact_id", "type", "uri"}`.
    static func json(_ artifact: TaskArtifact) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "name", value: .string(artifact.name)), (key: "artifact_id", value: .int(artifact.artifactID.rawValue)),
            (key: "type", value: .string(artifact.type)),
        ]
        if let uri = artifact.uri { members.append((key: "uri", value: .string(uri))) }
        return .object(members)
    }

    /// `create_time_since_epoch`, `start_time_since_epoch`, `end_time_since_epoch` and `duration_ms`, where known.
    private static func times(create: Int64?, start: Int64?, end: Int64?) -> [(key: String, value: JSON)] {
        var members: [(key: String, value: JSON)] = []
        if let create { members.append((key: "create_time_since_epoch", value: .int(create / 1000))) }
        if let start { members.append((key: "start_time_since_epoch", value: .int(start / 1000))) }
        if let end { members.append((key: "end_time_since_epoch", value: .int(end / 1000))) }
        if let start, let end { members.append((key: "duration_ms", value: .int((end - start) / 1000))) }
        return members
    }

    static func labels(_ labels: [String: String]) -> JSON {
        .object(labels.keys.sorted().map { (key: $0, value: .string(labels[$0]!)) })
    }

    // MARK: Reading answers (the client)

    /// Reads a run answer.
    public static func run(_ json: JSON) throws(ProvenanceError) -> Run {
        let reader = try JSONObjectReader(json, path: "run")
        let contexts = try reader.object("context_ids")
        var run = Run(
            id: RunID(try WirePipeline.required(reader, "id")), pipeline: try reader.requiredString("pipeline"),
            version: try reader.requiredString("version"), state: try state(reader, RunState.init(name:)),
            history: try (reader.array("history") ?? []).map { entry throws(ProvenanceError) in
                let change = try JSONObjectReader(entry, path: "history")
                return StateChange(
                    state: try state(change, RunState.init(name:)), time: try WirePipeline.required(change, "time_since_epoch") * 1000,
                    event: try change.string("event").flatMap(EngineEvent.init(rawValue:)))
            },
            parameters: dictionary(try reader.members("parameters")), labels: try stringDictionary(reader, "labels"),
            cache: try reader.bool("cache") ?? true,
            pipelineContextID: ContextID(try contexts?.int("pipeline") ?? 0), runContextID: ContextID(try contexts?.int("run") ?? 0),
            createTime: try WirePipeline.required(reader, "create_time_since_epoch") * 1000,
            startTime: try reader.int("start_time_since_epoch").map { $0 * 1000 },
            endTime: try reader.int("end_time_since_epoch").map { $0 * 1000 })
        run.tasks = try (reader.array("tasks") ?? []).map { entry throws(ProvenanceError) in try task(entry) }
        for member in try reader.members("task_counts") ?? [] {
            if let state = TaskState(name: member.key), case .int(let count) = member.value { run.taskCounts[state] = Int(count) }
        }
        for member in try reader.members("parameter_sources") ?? [] {
            if let source = ParameterSource(json: member.value) { run.parameterSources[member.key] = source }
        }
        if let schedule = try reader.object("schedule") {
            run.schedule = RunSchedule(
                name: try schedule.string("name"), scheduledTime: try WirePipeline.required(schedule, "scheduled_time_since_epoch") * 1000)
        }
        return run
    }

    /// Reads a task answer.
    public static func task(_ json: JSON) throws(ProvenanceError) -> RunTask {
        let reader = try JSONObjectReader(json, path: "task")
        let componentText = try reader.requiredString("component")
        guard let component = ComponentReference(parsing: componentText) else {
            throw .invalid("task.component", "expected name@version, got '\(componentText)'")
        }
        return RunTask(
            id: TaskID(try WirePipeline.required(reader, "id")), runID: RunID(try WirePipeline.required(reader, "run_id")),
            step: try reader.requiredString("step"), component: component, state: try state(reader, TaskState.init(name:)),
            waitReason: try reader.string("wait_reason"), error: try reader.string("error"),
            cachedFrom: try reader.int("cached_from").map(TaskID.init), fingerprint: try reader.string("fingerprint"),
            parameters: dictionary(try reader.members("parameters")),
            inputs: try (reader.array("inputs") ?? []).map { entry throws(ProvenanceError) in try artifact(entry) },
            outputs: try (reader.array("outputs") ?? []).map { entry throws(ProvenanceError) in try artifact(entry) },
            attempts: try (reader.array("attempts") ?? []).map { entry throws(ProvenanceError) in try attempt(entry) },
            executionID: try reader.int("execution_id").map(ExecutionID.init),
            createTime: try WirePipeline.required(reader, "create_time_since_epoch") * 1000,
            queueTime: try reader.int("queue_time_since_epoch").map { $0 * 1000 },
            startTime: try reader.int("start_time_since_epoch").map { $0 * 1000 },
            endTime: try reader.int("end_time_since_epoch").map { $0 * 1000 })
    }

    /// Reads a task's input or output.
    public static func artifact(_ json: JSON) throws(ProvenanceError) -> TaskArtifact {
        let reader = try JSONObjectReader(json, path: "artifact")
        return TaskArtifact(
            name: try reader.requiredString("name"), artifactID: ArtifactID(try WirePipeline.required(reader, "artifact_id")),
            type: try reader.requiredString("type"), uri: try reader.string("uri"))
    }

    private static func attempt(_ json: JSON) throws(ProvenanceError) -> TaskAttempt {
        let reader = try JSONObjectReader(json, path: "attempt")
        let executor = try reader.object("executor")
        let stateName = try reader.requiredString("state")
        guard let state = AttemptState.allCases.first(where: { $0.name == stateName }) else {
            throw .invalid("attempt.state", "unknown attempt state '\(stateName)'")
        }
        return TaskAttempt(
            number: Int(try WirePipeline.required(reader, "number")), state: state,
            executorID: ExecutorID(try executor?.int("id") ?? 0), executorName: try executor?.string("name") ?? "",
            executionID: ExecutionID(try WirePipeline.required(reader, "execution_id")),
            startTime: try WirePipeline.required(reader, "start_time_since_epoch") * 1000,
            endTime: try reader.int("end_time_since_epoch").map { $0 * 1000 },
            leaseExpires: (try reader.int("lease_expires_since_epoch") ?? 0) * 1000,
            exitCode: try reader.int("exit_code").map { Int($0) }, error: try reader.string("error"))
    }

    private static func state<State>(_ reader: JSONObjectReader, _ parse: (String) -> State?) throws(ProvenanceError) -> State {
        let name = try reader.requiredString("state")
        guard let state = parse(name) else { throw .invalid(reader.field("state"), "unknown state '\(name)'") }
        return state
    }

    static func dictionary(_ members: [(key: String, value: JSON)]?) -> [String: JSON] {
        Dictionary((members ?? []).map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    static func stringDictionary(_ reader: JSONObjectReader, _ key: String) throws(ProvenanceError) -> [String: String] {
        var result: [String: String] = [:]
        for member in try reader.members(key) ?? [] {
            guard case .string(let text) = member.value else {
                throw .invalid(reader.field(key) + "." + member.key, "expected a string, got \(member.value.kindName)")
            }
            result[member.key] = text
        }
        return result
    }
}
