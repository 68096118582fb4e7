import ProvenanceCore

/// The executor protocol on the wire: registration, leases (a long poll), heartbeats, logs, and the report of how
/// an attempt ended. Lease tokens travel in request bodies, never in URLs (which end up in access logs).
public enum WireExecutor {
    /// A registration: `{"name", "labels", "capacity": {"slots", "cpu", "memory_mb", "gpu"}}`.
    public static func registration(_ json: JSON) throws(ProvenanceError)
        -> (name: String, labels: [String: String], capacity: ExecutorCapacity)
    {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["name", "labels", "capacity"])
        guard let capacity = try reader.object("capacity") else { throw .invalid("capacity", "is required") }
        return (try reader.requiredString("name"), try WireRun.stringDictionary(reader, "labels"), try self.capacity(capacity))
    }

    /// The JSON of a registration.
    public static func registration(name: String, labels: [String: String], capacity: ExecutorCapacity) -> JSON {
        ["name": .string(name), "labels": WireRun.labels(labels), "capacity": json(capacity)]
    }

    /// `{"slots", "cpu", "memory_mb", "gpu"}`.
    public static func capacity(_ reader: JSONObjectReader) throws(ProvenanceError) -> ExecutorCapacity {
        try reader.rejectUnknown(["slots", "cpu", "memory_mb", "gpu"])
        let capacity = ExecutorCapacity(
            slots: Int(clamping: try reader.int("slots") ?? 1), cpu: try reader.double("cpu") ?? 0,
            memoryMB: Int(clamping: try reader.int("memory_mb") ?? 0), gpu: Int(clamping: try reader.int("gpu") ?? 0))
        try capacity.validate(field: reader.path)
        return capacity
    }

    /// The JSON of a capacity.
    public static func json(_ capacity: ExecutorCapacity) -> JSON {
        [
            "slots": .int(Int64(capacity.slots)), "cpu": .double(capacity.cpu), "memory_mb": .int(Int64(capacity.memoryMB)),
            "gpu": .int(Int64(capacity.gpu)),
        ]
    }

    /// An executor, with how it should heartbeat: `{"id", "name", "labels", "capacity", "lease_duration_ms",
    /// "heartbeat_interval_ms", "register_time_since_epoch", "last_seen_since_epoch"}`.
    public static func json(_ executor: ExecutorInfo, leaseDuration: Duration, heartbeatInterval: Duration) -> JSON {
        [
            "id": .int(executor.id.rawValue), "name": .string(executor.name), "labels": WireRun.labels(executor.labels),
            "capacity": json(executor.capacity), "lease_duration_ms": .int(milliseconds(leaseDuration)),
            "heartbeat_interval_ms": .int(milliseconds(heartbeatInterval)),
            "register_time_since_epoch": .int(executor.registerTime / 1000), "last_seen_since_epoch": .int(executor.lastSeen / 1000),
        ]
    }

    /// Reads a registration answer: the executor and its heartbeat interval.
    public static func registered(_ json: JSON) throws(ProvenanceError) -> (executor: ExecutorInfo, heartbeatInterval: Duration) {
        let reader = try JSONObjectReader(json, path: "")
        guard let capacityReader = try reader.object("capacity") else { throw .invalid("capacity", "is missing from the answer") }
        let executor = ExecutorInfo(
            id: ExecutorID(try WirePipeline.required(reader, "id")), name: try reader.requiredString("name"),
            labels: try WireRun.stringDictionary(reader, "labels"), capacity: try capacity(capacityReader),
            registerTime: (try reader.int("register_time_since_epoch") ?? 0) * 1000,
            lastSeen: (try reader.int("last_seen_since_epoch") ?? 0) * 1000)
        return (executor, .milliseconds(try WirePipeline.required(reader, "heartbeat_interval_ms")))
    }

    // MARK: Leases

    /// A lease request: `{"available": capacity, "max_tasks", "wait_ms"}`.
    public static func leaseRequest(_ json: JSON) throws(ProvenanceError) -> (available: ExecutorCapacity, maximum: Int, wait: Duration) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["available", "max_tasks", "wait_ms"])
        guard let available = try reader.object("available") else { throw .invalid("available", "is required") }
        let maximum = try reader.int("max_tasks") ?? 1
        guard (1...1000).contains(maximum) else { throw .invalid("max_tasks", "must be between 1 and 1000") }
        let wait = try reader.int("wait_ms") ?? 0
        guard wait >= 0 else { throw .invalid("wait_ms", "must not be negative") }
        return (try capacity(available), Int(maximum), .milliseconds(wait))
    }

    /// The JSON of a lease request.
    public static func leaseRequest(available: ExecutorCapacity, maximum: Int, wait: Duration) -> JSON {
        ["available": json(available), "max_tasks": .int(Int64(maximum)), "wait_ms": .int(milliseconds(wait))]
    }

    /// A lease as its executor receives it.
    public static func json(_ lease: Lease) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "token", value: .string(lease.token.description)), (key: "task_id", value: .int(lease.token.taskID.rawValue)),
            (key: "attempt", value: .int(Int64(lease.token.attempt))), (key: "namespace", value: .string(lease.namespace)),
            (key: "run_id", value: .int(lease.runID.rawValue)), (key: "step", value: .string(lease.step)),
            (key: "component", value: .string(lease.component.description)),
        ]
        members.append((key: "run", value: lease.process.json))
        if let timeout = lease.timeout { members.append((key: "timeout_ms", value: .int(milliseconds(timeout)))) }
        members.append((key: "resources", value: [
            "cpu": .double(lease.resources.cpu), "memory_mb": .int(Int64(lease.resources.memoryMB)),
            "gpu": .int(Int64(lease.resources.gpu)),
        ]))
        members.append((key: "inputs", value: .array(lease.inputs.map(WireRun.json))))
        members.append((key: "outputs", value: .array(lease.outputs.map { ["name": .string($0.name), "type": .string($0.type), "path": .string($0.path)] })))
        members.append((key: "parameters", value: .object(lease.parameters.keys.sorted().map { (key: $0, value: lease.parameters[$0]!) })))
        members.append((key: "execution_id", value: .int(lease.executionID.rawValue)))
        members.append((key: "lease_expires_since_epoch", value: .int(lease.leaseExpires / 1000)))
        if let requestID = lease.requestID { members.append((key: "request_id", value: .string(requestID))) }
        return .object(members)
    }

    /// Reads a lease.
    public static func lease(_ json: JSON) throws(ProvenanceError) -> Lease {
        let reader = try JSONObjectReader(json, path: "lease")
        let componentText = try reader.requiredString("component")
        guard let component = ComponentReference(parsing: componentText) else {
            throw .invalid("lease.component", "expected name@version, got '\(componentText)'")
        }
        guard let run = try reader.object("run") else { throw .invalid("lease.run", "is missing") }
        var lease = Lease(
            token: try LeaseToken(parsing: try reader.requiredString("token"), field: "lease.token"),
            namespace: try reader.requiredString("namespace"), runID: RunID(try WirePipeline.required(reader, "run_id")),
            step: try reader.requiredString("step"), component: component, process: try ProcessSpec(run),
            timeout: try reader.int("timeout_ms").map { .milliseconds($0) },
            resources: ResourceRequest(
                cpu: try reader.object("resources")?.double("cpu") ?? 0,
                memoryMB: Int(clamping: try reader.object("resources")?.int("memory_mb") ?? 0),
                gpu: Int(clamping: try reader.object("resources")?.int("gpu") ?? 0)),
            inputs: try (reader.array("inputs") ?? []).map { entry throws(ProvenanceError) in try WireRun.artifact(entry) },
            outputs: try (reader.array("outputs") ?? []).map { entry throws(ProvenanceError) in
                let output = try JSONObjectReader(entry, path: "lease.outputs")
                return LeaseOutput(
                    name: try output.requiredString("name"), type: try output.requiredString("type"), path: try output.requiredString("path"))
            },
            parameters: WireRun.dictionary(try reader.members("parameters")),
            executionID: ExecutionID(try WirePipeline.required(reader, "execution_id")),
            leaseExpires: try WirePipeline.required(reader, "lease_expires_since_epoch") * 1000)
        lease.requestID = try reader.string("request_id")
        return lease
    }

    // MARK: Heartbeats

    /// A heartbeat: `{"tokens": ["TASK.ATTEMPT.SECRET", ...]}`.
    public static func tokens(_ json: JSON) throws(ProvenanceError) -> [LeaseToken] {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["tokens"])
        return try (reader.array("tokens") ?? []).enumerated().map { offset, element throws(ProvenanceError) in
            guard case .string(let text) = element else { throw .invalid("tokens[\(offset)]", "expected a lease token") }
            return try LeaseToken(parsing: text, field: "tokens[\(offset)]")
        }
    }

    /// The JSON of a heartbeat.
    public static func json(tokens: [LeaseToken]) -> JSON {
        ["tokens": .array(tokens.map { .string($0.description) })]
    }

    /// `{"leases": [{"token", "held", "lease_expires_since_epoch"?, "cancel"}]}`.
    public static func json(_ statuses: [LeaseStatus]) -> JSON {
        ["leases": .array(statuses.map { status in
            var members: [(key: String, value: JSON)] = [
                (key: "token", value: .string(status.token.description)), (key: "held", value: .bool(status.leaseExpires != nil)),
            ]
            if let expires = status.leaseExpires { members.append((key: "lease_expires_since_epoch", value: .int(expires / 1000))) }
            members.append((key: "cancel", value: .bool(status.cancel)))
            return .object(members)
        })]
    }

    /// Reads a heartbeat answer.
    public static func statuses(_ json: JSON) throws(ProvenanceError) -> [LeaseStatus] {
        let reader = try JSONObjectReader(json, path: "")
        return try (reader.array("leases") ?? []).map { entry throws(ProvenanceError) in
            let status = try JSONObjectReader(entry, path: "leases")
            return LeaseStatus(
                token: try LeaseToken(parsing: try status.requiredString("token")),
                leaseExpires: try status.int("lease_expires_since_epoch").map { $0 * 1000 }, cancel: try status.bool("cancel") ?? false)
        }
    }

    // MARK: Outcomes

    /// A success report: `{"token", "outputs": {"NAME": {"uri", "properties", "custom_properties", "state"}}}`.
    public static func completion(_ json: JSON) throws(ProvenanceError) -> (token: LeaseToken, report: AttemptReport) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["token", "outputs"])
        var outputs: [String: OutputReport] = [:]
        for member in try reader.members("outputs") ?? [] {
            let output = try JSONObjectReader(member.value, path: "outputs.\(member.key)")
            try output.rejectUnknown(["uri", "properties", "custom_properties", "state"])
            let uri = try output.requiredString("uri")
            try OutputReport.checkURI(uri, field: output.field("uri"))
            outputs[member.key] = OutputReport(
                uri: uri, properties: try WireNode.properties(output, "properties"),
                customProperties: try WireNode.properties(output, "custom_properties"),
                state: try WireNode.state(output, kind: .artifact))
        }
        return (try LeaseToken(parsing: try reader.requiredString("token")), AttemptReport(outputs: outputs))
    }

    /// The JSON of a success report.
    public static func completion(token: LeaseToken, report: AttemptReport) -> JSON {
        ["token": .string(token.description), "outputs": .object(report.outputs.keys.sorted().map { name in
            let output = report.outputs[name]!
            var members: [(key: String, value: JSON)] = [(key: "uri", value: .string(output.uri))]
            members.append((key: "properties", value: properties(output.properties)))
            members.append((key: "custom_properties", value: properties(output.customProperties)))
            if let state = output.state { members.append((key: "state", value: .string(NodeKind.artifact.stateName(state)))) }
            return (key: name, value: .object(members))
        })]
    }

    private static func properties(_ map: [String: PropertyInput]) -> JSON {
        .object(map.keys.sorted().map { key in
            switch map[key]! {
            case .typed(let value): (key: key, value: value.taggedJSON)
            case .json(let json): (key: key, value: json)
            }
        })
    }

    /// A failure report: `{"token", "error", "exit_code"?, "log_tail"?, "canceled"?, "released"?}`.
    public static func failure(_ json: JSON) throws(ProvenanceError) -> (token: LeaseToken, failure: AttemptFailure) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["token", "error", "exit_code", "log_tail", "canceled", "released"])
        let error = try reader.requiredString("error")
        try Validation.checkText(error, field: "error")
        let tail = try reader.string("log_tail")
        if let tail { try Validation.checkText(tail, field: "log_tail") }
        return (
            try LeaseToken(parsing: try reader.requiredString("token")),
            AttemptFailure(
                error: error, exitCode: try reader.int("exit_code").map { Int(clamping: $0) }, logTail: tail,
                canceled: try reader.bool("canceled") ?? false, released: try reader.bool("released") ?? false))
    }

    /// The JSON of a failure report.
    public static func failure(token: LeaseToken, failure: AttemptFailure) -> JSON {
        var members: [(key: String, value: JSON)] = [(key: "token", value: .string(token.description)), (key: "error", value: .string(failure.error))]
        if let code = failure.exitCode { members.append((key: "exit_code", value: .int(Int64(code)))) }
        if let tail = failure.logTail { members.append((key: "log_tail", value: .string(tail))) }
        members.append((key: "canceled", value: .bool(failure.canceled)))
        members.append((key: "released", value: .bool(failure.released)))
        return .object(members)
    }

    /// `{"attempt_state", "task_state", "error"?, "repeated"}`.
    /// What recording an outcome did: `{"attempt_state", "task_state", "error"?, "repeated"}`.
    public static func json(_ outcome: AttemptOutcome) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "attempt_state", value: .string(outcome.attemptState.name)), (key: "task_state", value: .string(outcome.taskState.name)),
        ]
        if let error = outcome.error { members.append((key: "error", value: .string(error))) }
        members.append((key: "repeated", value: .bool(outcome.repeated)))
        return .object(members)
    }

    /// Reads an outcome.
    public static func outcome(_ json: JSON) throws(ProvenanceError) -> AttemptOutcome {
        let reader = try JSONObjectReader(json, path: "")
        let attempt = try reader.requiredString("attempt_state"), task = try reader.requiredString("task_state")
        guard let attemptState = AttemptState.allCases.first(where: { $0.name == attempt }), let taskState = TaskState(name: task) else {
            throw .invalid("", "unknown states \(attempt), \(task)")
        }
        return AttemptOutcome(
            attemptState: attemptState, taskState: taskState, error: try reader.string("error"),
            repeated: try reader.bool("repeated") ?? false, queued: 0)
    }

    // MARK: Logs

    /// Log lines from an executor: `{"token", "lines": [{"stream": "stdout"|"stderr", "text"}]}`.
    public static func logs(_ json: JSON) throws(ProvenanceError) -> (token: LeaseToken, lines: [LogLine]) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["token", "lines"])
        let lines = try (reader.array("lines") ?? []).enumerated().map { offset, entry throws(ProvenanceError) in
            let line = try JSONObjectReader(entry, in: "lines", at: offset)
            try line.rejectUnknown(["stream", "text"])
            let name = try line.string("stream") ?? "stdout"
            guard let stream = LogStream(name: name) else { throw .invalid(line.field("stream"), "expected stdout or stderr") }
            return LogLine(stream: stream, text: try line.requiredString("text"))
        }
        guard lines.count <= maximumLogBatch else { throw .invalid("lines", "at most \(maximumLogBatch) lines per request") }
        return (try LeaseToken(parsing: try reader.requiredString("token")), lines)
    }

    /// The most lines one log request may carry.
    public static let maximumLogBatch = 1000

    /// The JSON of log lines from an executor.
    public static func logs(token: LeaseToken, lines: [LogLine]) -> JSON {
        ["token": .string(token.description), "lines": .array(lines.map { ["stream": .string($0.stream.name), "text": .string($0.text)] })]
    }

    /// Stored log lines: `{"lines": [{"attempt", "seq", "stream", "text", "time_since_epoch"}]}`.
    public static func json(_ lines: [LogLine]) -> JSON {
        ["lines": .array(lines.map { line in
            [
                "attempt": .int(Int64(line.attempt ?? 0)), "seq": .int(line.sequence ?? 0), "stream": .string(line.stream.name),
                "text": .string(line.text), "time_since_epoch": .int((line.time ?? 0) / 1000),
            ]
        })]
    }

    /// Reads stored log lines.
    public static func lines(_ json: JSON) throws(ProvenanceError) -> [LogLine] {
        let reader = try JSONObjectReader(json, path: "")
        return try (reader.array("lines") ?? []).map { entry throws(ProvenanceError) in
            let line = try JSONObjectReader(entry, path: "lines")
            return LogLine(
                stream: LogStream(name: try line.string("stream") ?? "stdout") ?? .stdout, text: try line.requiredString("text"),
                attempt: try line.int("attempt").map { Int($0) }, sequence: try line.int("seq"),
                time: try line.int("time_since_epoch").map { $0 * 1000 })
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
