/// An executor attached to the server: where it runs, what it offers, and when it last asked for work.
public struct ExecutorInfo: Sendable, Equatable {
    /// The id the server gave it.
    public var id: ExecutorID
    /// A name for people (host and process, say).
    public var name: String
    /// Labels steps can require (`gpu: a100`).
    public var labels: [String: String]
    /// What it can run at once in all.
    public var capacity: ExecutorCapacity
    /// Microseconds since the epoch.
    public var registerTime: Int64
    /// When it last leased, heartbeated or reported, microseconds since the epoch.
    public var lastSeen: Int64
    /// How many attempts it runs now (known where executors are listed).
    public var running: Int?

    /// Creates a value.
    public init(
        id: ExecutorID, name: String, labels: [String: String], capacity: ExecutorCapacity, registerTime: Int64,
        lastSeen: Int64
    ) {
        self.id = id
        self.name = name
        self.labels = labels
        self.capacity = capacity
        self.registerTime = registerTime
        self.lastSeen = lastSeen
    }
}

/// What an executor can run at once: a task needs one slot and its resources.
public struct ExecutorCapacity: Sendable, Equatable {
    /// Tasks at once.
    public var slots: Int
    /// CPU cores.
    public var cpu: Double
    /// Memory in MiB.
    public var memoryMB: Int
    /// GPUs.
    public var gpu: Int

    /// Creates a capacity.
    public init(slots: Int, cpu: Double, memoryMB: Int, gpu: Int = 0) {
        self.slots = slots
        self.cpu = cpu
        self.memoryMB = memoryMB
        self.gpu = gpu
    }

    /// Whether one task needing `request` fits.
    public func fits(_ request: ResourceRequest) -> Bool {
        slots >= 1 && request.cpu <= cpu + 1e-9 && request.memoryMB <= memoryMB && request.gpu <= gpu
    }

    /// What is left after one task needing `request` takes its share.
    public func minus(_ request: ResourceRequest) -> ExecutorCapacity {
        ExecutorCapacity(slots: slots - 1, cpu: cpu - request.cpu, memoryMB: memoryMB - request.memoryMB, gpu: gpu - request.gpu)
    }

    /// The largest capacity (or resource request) the server takes: anything larger is a mistake, and refused
    /// rather than clamped to what its columns hold.
    public static let maximum = ExecutorCapacity(slots: 10_000, cpu: 100_000, memoryMB: Int(Int32.max), gpu: 1024)

    /// Checks a capacity an executor reports: each amount a finite number from 0 to its maximum.
    public func validate(field: String) throws(ProvenanceError) {
        try Self.check(Double(slots), maximum: Double(Self.maximum.slots), field: Validation.join(field, "slots"))
        try Self.check(cpu, maximum: Self.maximum.cpu, field: Validation.join(field, "cpu"))
        try Self.check(Double(memoryMB), maximum: Double(Self.maximum.memoryMB), field: Validation.join(field, "memory_mb"))
        try Self.check(Double(gpu), maximum: Double(Self.maximum.gpu), field: Validation.join(field, "gpu"))
    }

    /// Checks one amount of a capacity or a resource request.
    public static func check(_ amount: Double, maximum: Double, field: String) throws(ProvenanceError) {
        guard amount.isFinite else { throw .invalid(field, "must be a finite number") }
        guard amount >= 0 else { throw .invalid(field, "must not be negative") }
        guard amount <= maximum else { throw .invalid(field, "must be at most \(Int64(maximum))") }
    }
}

/// A leased task as its executor receives it: what to run, what it reads, where its outputs go, and the lease it
/// holds. The executor fills in the placeholders (`rendered`): only it knows where its artifact root is.
public struct Lease: Sendable, Equatable {
    /// The fencing token to present with heartbeats, logs, complete and fail.
    public var token: LeaseToken
    /// The namespace of the run.
    public var namespace: String
    public var runID: RunID
    public var step: String
    public var component: ComponentReference
    /// How the component runs (with placeholders).
    public var process: ProcessSpec
    /// The longest the attempt may run.
    public var timeout: Duration?
    /// What it takes of the executor's capacity (besides a slot).
    public var resources: ResourceRequest
    /// The artifacts it reads.
    public var inputs: [TaskArtifact]
    /// Its outputs: name, type and the URI the attempt writes to (the executor's artifact root prefixes a relative
    /// one).
    public var outputs: [LeaseOutput]
    /// The parameters' values.
    public var parameters: [String: JSON]
    /// The MLMD execution recording the attempt.
    public var executionID: ExecutionID
    /// When the lease expires unless extended, microseconds since the epoch.
    public var leaseExpires: Int64
    /// The id of the request that granted the lease (its `X-Request-ID`), which the executor hands the step as
    /// `PROVENANCE_REQUEST_ID`, so a step's own logs can be tied to the server's.
    public var requestID: String? = nil

    /// Creates a lease.
    public init(
        token: LeaseToken, namespace: String, runID: RunID, step: String, component: ComponentReference,
        process: ProcessSpec, timeout: Duration?, resources: ResourceRequest = ResourceRequest(),
        inputs: [TaskArtifact], outputs: [LeaseOutput], parameters: [String: JSON], executionID: ExecutionID,
        leaseExpires: Int64
    ) {
        self.token = token
        self.namespace = namespace
        self.runID = runID
        self.step = step
        self.component = component
        self.process = process
        self.timeout = timeout
        self.resources = resources
        self.inputs = inputs
        self.outputs = outputs
        self.parameters = parameters
        self.executionID = executionID
        self.leaseExpires = leaseExpires
    }
}

extension Lease {
    /// The command line, environment and working directory with every placeholder filled in: outputs under
    /// `artifactRoot`, the outputs file at `outputsFile`, an optional input that is absent as empty text.
    public func rendered(artifactRoot: String, outputsFile: String) -> (command: [String], environment: [String: String], workingDirectory: String?) {
        func value(_ reference: CommandTemplate.Reference) -> String {
            switch reference {
            case .parameter(let name): parameters[name]?.commandLineText ?? ""
            case .inputURI(let name): inputs.first { $0.name == name }?.uri ?? ""
            case .inputID(let name): inputs.first { $0.name == name }.map { String($0.artifactID.rawValue) } ?? ""
            case .outputURI(let name): outputs.first { $0.name == name }.map { outputURI($0, artifactRoot: artifactRoot) } ?? ""
            case .outputsFile: outputsFile
            case .runID: String(runID.rawValue)
            case .taskID: String(token.taskID.rawValue)
            case .attempt: String(token.attempt)
            case .step: step
            }
        }
        return (
            command: (process.command + process.args).map { $0.render(value) },
            environment: process.env.mapValues { $0.render(value) },
            workingDirectory: process.workingDirectory?.render(value))
    }

    /// Where output `output` of this attempt goes under `artifactRoot`.
    public func outputURI(_ output: LeaseOutput, artifactRoot: String) -> String {
        artifactRoot.hasSuffix("/") ? artifactRoot + output.path : artifactRoot + "/" + output.path
    }
}

/// An output of a leased task: where this attempt writes it.
public struct LeaseOutput: Sendable, Equatable {
    /// The output port.
    public var name: String
    /// The artifact type's name.
    public var type: String
    /// Where to write it, relative to the executor's artifact root: attempt-specific
    /// (`NAMESPACE/runs/RUN/STEP/attempt-N/OUTPUT`), so a late attempt never overwrites the winner's files.
    public var path: String

    /// Creates a value.
    public init(name: String, type: String, path: String) {
        self.name = name
        self.type = type
        self.path = path
    }
}

/// What an executor reports for an attempt that succeeded: each output's URI and what the step said of it.
public struct AttemptReport: Sendable, Equatable {
    /// The outputs, by port name.
    public var outputs: [String: OutputReport]

    /// Creates a report.
    public init(outputs: [String: OutputReport]) {
        self.outputs = outputs
    }
}

/// One output of a successful attempt, as the step's outputs file described it.
///
/// A step may claim its output lives elsewhere than the path it was given (`s3://bucket/model`), but only as an
/// absolute location: a URI with a scheme, or an absolute path, with no `..` segment. The claim is recorded, not
/// checked: the server never reads or writes the place it names.
public struct OutputReport: Sendable, Equatable {
    /// Checks a claimed output location (see the type's documentation).
    public static func checkURI(_ uri: String, field: String) throws(ProvenanceError) {
        try Validation.requireName(uri, field: field)
        let scheme = uri.firstRange(of: "://").map { uri[..<$0.lowerBound] }
        let hasScheme = scheme.map { name in
            guard let first = name.first, first.isLetter else { return false }
            return name.allSatisfy { $0.isLetter || $0.isNumber || "+.-".contains($0) }
        } ?? false
        guard hasScheme || uri.hasPrefix("/") else {
            throw .invalid(field, "'\(uri)' is neither an absolute path nor a URI with a scheme (s3://, gs://, file://)")
        }
        let path = hasScheme ? uri[uri.firstRange(of: "://")!.upperBound...] : uri[...]
        guard !path.split(separator: "/", omittingEmptySubsequences: false).contains("..") else {
            throw .invalid(field, "'\(uri)' has a '..' segment; name the location directly")
        }
    }

    /// Where the artifact is.
    public var uri: String
    /// Properties its artifact type declares.
    public var properties: [String: PropertyInput]
    /// Free-form properties, metric values among them (`metrics.auc`).
    public var customProperties: [String: PropertyInput]
    /// The artifact's state (LIVE by default).
    public var state: Int16?

    /// Creates a report.
    public init(uri: String, properties: [String: PropertyInput] = [:], customProperties: [String: PropertyInput] = [:], state: Int16? = nil) {
        self.uri = uri
        self.properties = properties
        self.customProperties = customProperties
        self.state = state
    }
}

/// What an executor reports for an attempt that failed.
public struct AttemptFailure: Sendable, Equatable {
    /// What went wrong, for people (the outputs file was malformed, the step exited with 2, ...).
    public var error: String
    /// The process's exit code, if it exited.
    public var exitCode: Int?
    /// The last lines of its output.
    public var logTail: String?
    /// The step was stopped because its run was cancelled.
    public var canceled: Bool
    /// The executor gave the lease back (it is shutting down): not the step's fault, so the task is queued again
    /// without using up one of its attempts.
    public var released: Bool

    /// Creates a failure.
    public init(error: String, exitCode: Int? = nil, logTail: String? = nil, canceled: Bool = false, released: Bool = false) {
        self.error = error
        self.exitCode = exitCode
        self.logTail = logTail
        self.canceled = canceled
        self.released = released
    }
}

/// Environment variables between a server and the executor it starts itself.
public enum LocalExecutorEnvironment {
    /// The server's process id: the executor it starts exits when its parent is gone.
    public static let parentProcess = "PROVENANCE_EXECUTOR_PARENT_PID"
}
