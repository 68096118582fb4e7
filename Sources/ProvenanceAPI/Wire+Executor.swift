import ProvenanceCore

/// The executor protocol on the wire: registration, leases (a long poll), heartbeats, logs, and the report of how
/// an attempt ended. Lease tokens travel in request bodies, never in URLs (which end up in access logs).
public enum WireExecutor {
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

    // MARK: Outcomes

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
