/// A run as the API shows it: one execution of a pipeline version, with its tasks.
public struct Run: Sendable, Equatable {
    public var id: RunID
    /// The pipeline's name.
    public var pipeline: String
    /// The version's digest.
    public var version: String
    public var state: RunState
    /// Every state the run has been in, with when it entered it.
    public var history: [StateChange<RunState>]
    /// The parameters, resolved (defaults filled in).
    public var parameters: [String: JSON]
    public var labels: [String: String]
    /// Whether tasks may reuse cached outputs.
    public var cache: Bool
    /// The MLMD Pipeline context.
    public var pipelineContextID: ContextID
    /// The MLMD PipelineRun context.
    public var runContextID: ContextID
    /// Microseconds since the epoch.
    public var createTime: Int64
    public var startTime: Int64?
    public var endTime: Int64?
    /// The tasks, in step order (empty where a listing or a submission's answer leaves them out).
    public var tasks: [RunTask]
    /// How many of its tasks are in each state (every task counted, whether or not `tasks` holds them).
    public var taskCounts: [TaskState: Int]
    /// The schedule's fire that made it, if one did.
    public var schedule: RunSchedule?
    /// Where each parameter's value came from: the run, a configuration layer, or the pipeline's default.
    public var parameterSources: [String: ParameterSource]

    /// Creates a run value.
    public init(
        id: RunID, pipeline: String, version: String, state: RunState, history: [StateChange<RunState>],
        parameters: [String: JSON], labels: [String: String], cache: Bool, pipelineContextID: ContextID,
        runContextID: ContextID, createTime: Int64, startTime: Int64? = nil, endTime: Int64? = nil, tasks: [RunTask] = [],
        taskCounts: [TaskState: Int] = [:], schedule: RunSchedule? = nil, parameterSources: [String: ParameterSource] = [:]
    ) {
        self.id = id
        self.pipeline = pipeline
        self.version = version
        self.state = state
        self.history = history
        self.parameters = parameters
        self.labels = labels
        self.cache = cache
        self.pipelineContextID = pipelineContextID
        self.runContextID = runContextID
        self.createTime = createTime
        self.startTime = startTime
        self.endTime = endTime
        self.tasks = tasks
        self.taskCounts = taskCounts
        self.schedule = schedule
        self.parameterSources = parameterSources
    }
}

/// The schedule's fire that made a run.
public struct RunSchedule: Sendable, Equatable {
    /// The schedule's name (nil once it is deleted).
    public var name: String?
    /// The fire's nominal time, microseconds since the epoch.
    public var scheduledTime: Int64

    /// Creates a value.
    public init(name: String?, scheduledTime: Int64) {
        self.name = name
        self.scheduledTime = scheduledTime
    }
}

/// A state something entered, and when (microseconds since the epoch).
public struct StateChange<State: Sendable & Equatable>: Sendable, Equatable {
    public var state: State
    public var time: Int64
    /// What caused it (nil in history written before events were recorded).
    public var event: EngineEvent?

    /// Creates a change.
    public init(state: State, time: Int64, event: EngineEvent? = nil) {
        self.state = state
        self.time = time
        self.event = event
    }
}

/// One step of one run.
public struct RunTask: Sendable, Equatable {
    public var id: TaskID
    public var runID: RunID
    public var step: String
    public var component: ComponentReference
    public var state: TaskState
    /// Why a task that has not started is waiting (for inputs, for an executor that can take it, for its backoff).
    public var waitReason: String?
    /// Why a task failed without an attempt failing (an input its selector did not find).
    public var error: String?
    /// The task whose outputs a cached task reuses.
    public var cachedFrom: TaskID?
    public var fingerprint: String?
    /// The component parameters' values.
    public var parameters: [String: JSON]
    /// The artifacts it read (once resolved).
    public var inputs: [TaskArtifact]
    /// The artifacts it wrote (or reused).
    public var outputs: [TaskArtifact]
    /// Every attempt, first to last.
    public var attempts: [TaskAttempt]
    /// The MLMD execution of the attempt that succeeded, or of the cache hit.
    public var executionID: ExecutionID?
    /// What it asks of an executor (its component's numbers, or its resource template's).
    public var resources = ResourceRequest()
    /// The labels its executor must have.
    public var executorLabels: [String: String] = [:]
    /// Microseconds since the epoch.
    public var createTime: Int64
    public var queueTime: Int64?
    public var startTime: Int64?
    public var endTime: Int64?

    /// Creates a task value.
    public init(
        id: TaskID, runID: RunID, step: String, component: ComponentReference, state: TaskState,
        waitReason: String? = nil, error: String? = nil, cachedFrom: TaskID? = nil, fingerprint: String? = nil, parameters: [String: JSON] = [:],
        inputs: [TaskArtifact] = [], outputs: [TaskArtifact] = [], attempts: [TaskAttempt] = [],
        executionID: ExecutionID? = nil, createTime: Int64, queueTime: Int64? = nil, startTime: Int64? = nil,
        endTime: Int64? = nil
    ) {
        self.id = id
        self.runID = runID
        self.step = step
        self.component = component
        self.state = state
        self.waitReason = waitReason
        self.error = error
        self.cachedFrom = cachedFrom
        self.fingerprint = fingerprint
        self.parameters = parameters
        self.inputs = inputs
        self.outputs = outputs
        self.attempts = attempts
        self.executionID = executionID
        self.createTime = createTime
        self.queueTime = queueTime
        self.startTime = startTime
        self.endTime = endTime
    }
}

/// An artifact a task read or wrote, under the name of its port.
public struct TaskArtifact: Sendable, Equatable {
    /// The input or output port.
    public var name: String
    public var artifactID: ArtifactID
    /// The artifact type's name.
    public var type: String
    public var uri: String?

    /// Creates a value.
    public init(name: String, artifactID: ArtifactID, type: String, uri: String?) {
        self.name = name
        self.artifactID = artifactID
        self.type = type
        self.uri = uri
    }
}

/// One attempt at a task.
public struct TaskAttempt: Sendable, Equatable {
    /// 1 for the first.
    public var number: Int
    public var state: AttemptState
    public var executorID: ExecutorID
    public var executorName: String
    /// The MLMD execution recording it.
    public var executionID: ExecutionID
    /// Microseconds since the epoch.
    public var startTime: Int64
    public var endTime: Int64?
    public var leaseExpires: Int64
    public var exitCode: Int?
    public var error: String?

    /// Creates a value.
    public init(
        number: Int, state: AttemptState, executorID: ExecutorID, executorName: String, executionID: ExecutionID,
        startTime: Int64, endTime: Int64? = nil, leaseExpires: Int64, exitCode: Int? = nil, error: String? = nil
    ) {
        self.number = number
        self.state = state
        self.executorID = executorID
        self.executorName = executorName
        self.executionID = executionID
        self.startTime = startTime
        self.endTime = endTime
        self.leaseExpires = leaseExpires
        self.exitCode = exitCode
        self.error = error
    }
}
