/// A reusable step definition, registered by name and version: the artifacts it reads and writes (by MLMD
/// artifact type), its parameters, the MLMD execution type it records as, how it runs, what it needs, and its
/// retry, timeout and caching rules.
public struct ComponentSpec: Sendable, Equatable {
    /// The component's name (letters, digits, `-`, `_`, `.`).
    public var name: String
    /// Its version; a name and a version name one immutable definition.
    public var version: String
    /// Free text for people.
    public var description: String?
    /// The MLMD execution type each attempt is recorded as (made if it does not exist).
    public var executionType: String
    /// The artifacts it reads.
    public var inputs: [ArtifactPort]
    /// The artifacts it writes.
    public var outputs: [ArtifactPort]
    /// Its parameters.
    public var parameters: [ParameterSpec]
    /// How it runs.
    public var run: ProcessSpec
    /// What one run of it needs from an executor.
    public var resources: ResourceRequest
    /// The resource template (a named profile of the namespace) its tasks take their resources and executor labels
    /// from instead of `resources`, which a configuration layer may swap for another.
    public var resourceTemplate: String?
    /// How often and when a failed attempt is tried again.
    public var retries: RetryPolicy
    /// The longest one attempt may run; nil for no limit.
    public var timeout: Duration?
    /// Whether a task of it may reuse the outputs of an earlier identical task instead of running.
    public var cache: Bool

    /// Creates a component with the defaults: no inputs, outputs or parameters, no resources, one attempt, no
    /// timeout, cacheable.
    public init(
        name: String, version: String, description: String? = nil, executionType: String? = nil,
        inputs: [ArtifactPort] = [], outputs: [ArtifactPort] = [], parameters: [ParameterSpec] = [],
        run: ProcessSpec, resources: ResourceRequest = ResourceRequest(), retries: RetryPolicy = RetryPolicy(),
        timeout: Duration? = nil, cache: Bool = true
    ) {
        self.name = name
        self.version = version
        self.description = description
        self.executionType = executionType ?? name
        self.inputs = inputs
        self.outputs = outputs
        self.parameters = parameters
        self.run = run
        self.resources = resources
        self.retries = retries
        self.timeout = timeout
        self.cache = cache
    }

    /// `name@version`, as pipelines refer to it.
    public var reference: ComponentReference { ComponentReference(name: name, version: version) }
}

/// A named artifact a component reads or writes, of an MLMD artifact type.
public struct ArtifactPort: Sendable, Equatable {
    /// The port's name, as bindings and placeholders refer to it.
    public var name: String
    /// The MLMD artifact type's name (`Dataset`, `Model`, ...).
    public var type: String
    /// An input that may be absent (a warm-start model before the first one exists); outputs are never optional.
    public var optional: Bool
    /// Free text for people.
    public var description: String?

    /// Creates a port.
    public init(name: String, type: String, optional: Bool = false, description: String? = nil) {
        self.name = name
        self.type = type
        self.optional = optional
        self.description = description
    }
}

extension [ArtifactPort] {
    /// The port named `name`.
    public func named(_ name: String) -> ArtifactPort? { first { $0.name == name } }
}

/// How a component runs as a process: the command and its arguments (with placeholders), its environment and
/// working directory. `image` is recorded for container executors; process executors ignore it.
public struct ProcessSpec: Sendable, Equatable {
    /// The program and its first arguments.
    public var command: [CommandTemplate]
    /// More arguments.
    public var args: [CommandTemplate]
    /// Environment variables set for the process, by name.
    public var env: [String: CommandTemplate]
    /// The directory the process starts in (relative to the executor's working directory); nil for that directory.
    public var workingDirectory: CommandTemplate?
    /// A container image, for executors that run containers.
    public var image: String?

    /// Creates a process description.
    public init(
        command: [CommandTemplate], args: [CommandTemplate] = [], env: [String: CommandTemplate] = [:],
        workingDirectory: CommandTemplate? = nil, image: String? = nil
    ) {
        self.command = command
        self.args = args
        self.env = env
        self.workingDirectory = workingDirectory
        self.image = image
    }

    /// Every template of the process with where it is in the spec, for checks.
    public var templates: [(path: String, template: CommandTemplate)] {
        var all = command.enumerated().map { (path: "run.command[\($0.offset)]", template: $0.element) }
        all += args.enumerated().map { (path: "run.args[\($0.offset)]", template: $0.element) }
        all += env.keys.sorted().map { (path: "run.env.\($0)", template: env[$0]!) }
        if let workingDirectory { all.append((path: "run.working_dir", template: workingDirectory)) }
        return all
    }
}

/// What one task needs from an executor. Every task also takes one of the executor's slots.
public struct ResourceRequest: Sendable, Equatable, Hashable {
    /// CPU cores (fractions allowed).
    public var cpu: Double
    /// Memory in MiB.
    public var memoryMB: Int
    /// GPUs.
    public var gpu: Int

    /// Creates a request; by default nothing beyond a slot.
    public init(cpu: Double = 0, memoryMB: Int = 0, gpu: Int = 0) {
        self.cpu = cpu
        self.memoryMB = memoryMB
        self.gpu = gpu
    }
}

/// How a failed attempt is tried again: up to `maxAttempts` attempts in all, the n-th retry waiting
/// `backoff * 2^(n-1)`, at most `maxBackoff`.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all (1: no retry).
    public var maxAttempts: Int
    /// The wait before the first retry.
    public var backoff: Duration
    /// The longest wait between attempts.
    public var maxBackoff: Duration

    /// Creates a policy; by default one attempt.
    public init(maxAttempts: Int = 1, backoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(60)) {
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.maxBackoff = maxBackoff
    }

    /// The wait before attempt `attempt` + 1, after attempt `attempt` (1-based) failed.
    public func delay(after attempt: Int) -> Duration {
        var delay = backoff
        for _ in 1..<max(attempt, 1) where delay < maxBackoff { delay *= 2 }
        return min(delay, maxBackoff)
    }
}

/// A component named by a pipeline: `name@version`.
public struct ComponentReference: Sendable, Hashable, CustomStringConvertible {
    /// The component's name.
    public var name: String
    /// Its version.
    public var version: String

    /// Creates a reference.
    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }

    /// Parses `name@version`, or nil.
    public init?(parsing text: String) {
        guard let at = text.lastIndex(of: "@") else { return nil }
        name = String(text[..<at])
        version = String(text[text.index(after: at)...])
        guard !name.isEmpty, !version.isEmpty else { return nil }
    }

    public var description: String { "\(name)@\(version)" }
}
