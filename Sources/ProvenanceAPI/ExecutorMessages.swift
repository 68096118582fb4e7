import ProvenanceCore

/// `POST /executors`: `{"name", "labels", "capacity": {"slots", "cpu", "memory_mb", "gpu"}}`.
public struct ExecutorRegistration: WireMessage {
    public var name: String
    public var labels: [String: String]
    public var capacity: ExecutorCapacity

    public init(name: String, labels: [String: String], capacity: ExecutorCapacity) {
        (self.name, self.labels, self.capacity) = (name, labels, capacity)
    }

    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["name", "labels", "capacity"])
        guard let capacity = try reader.object("capacity") else { throw .invalid("capacity", "is required") }
        self.init(
            name: try reader.requiredString("name"), labels: try WireRun.stringDictionary(reader, "labels"),
            capacity: try WireExecutor.capacity(capacity))
    }

    public var json: JSON { ["name": .string(name), "labels": WireRun.labels(labels), "capacity": WireExecutor.json(capacity)] }
}

/// The answer to a registration (and each executor of a listing): the executor, with how long its leases last and
/// how often it should heartbeat.
public struct RegisteredExecutor: WireMessage {
    public var executor: ExecutorInfo
    public var leaseDuration: Duration
    public var heartbeatInterval: Duration

    public init(executor: ExecutorInfo, leaseDuration: Duration, heartbeatInterval: Duration) {
        (self.executor, self.leaseDuration, self.heartbeatInterval) = (executor, leaseDuration, heartbeatInterval)
    }

    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        guard let capacityReader = try reader.object("capacity") else { throw .invalid("capacity", "is missing from the answer") }
        executor = ExecutorInfo(
            id: ExecutorID(try WirePipeline.required(reader, "id")), name: try reader.requiredString("name"),
            labels: try WireRun.stringDictionary(reader, "labels"), capacity: try WireExecutor.capacity(capacityReader),
            registerTime: (try reader.int("register_time_since_epoch") ?? 0) * 1000,
            lastSeen: (try reader.int("last_seen_since_epoch") ?? 0) * 1000)
        executor.running = try reader.int("running").map(Int.init)
        leaseDuration = .milliseconds(try WirePipeline.required(reader, "lease_duration_ms"))
        heartbeatInterval = .milliseconds(try WirePipeline.required(reader, "heartbeat_interval_ms"))
    }

    /// `{"id", "name", "labels", "capacity", "lease_duration_ms", "heartbeat_interval_ms",
    /// "register_time_since_epoch", "last_seen_since_epoch"}`, and "running" where executors are listed.
    public var json: JSON {
        var members: [(key: String, value: JSON)] = [
            ("id", .int(executor.id.rawValue)), ("name", .string(executor.name)), ("labels", WireRun.labels(executor.labels)),
            ("capacity", WireExecutor.json(executor.capacity)),
            ("lease_duration_ms", .int(WireExecutor.milliseconds(leaseDuration))),
            ("heartbeat_interval_ms", .int(WireExecutor.milliseconds(heartbeatInterval))),
            ("register_time_since_epoch", .int(executor.registerTime / 1000)),
            ("last_seen_since_epoch", .int(executor.lastSeen / 1000)),
        ]
        if let running = executor.running { members.append((key: "running", value: .int(Int64(running)))) }
        return .object(members)
    }
}

/// `POST /executors/{id}:lease`: `{"available": capacity, "max_tasks", "wait_ms"}`.
public struct LeasePoll: WireMessage {
    public var available: ExecutorCapacity
    public var maximum: Int
    public var wait: Duration

    public init(available: ExecutorCapacity, maximum: Int, wait: Duration) {
        (self.available, self.maximum, self.wait) = (available, maximum, wait)
    }

    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["available", "max_tasks", "wait_ms"])
        guard let available = try reader.object("available") else { throw .invalid("available", "is required") }
        let maximum = try reader.int("max_tasks") ?? 1
        guard (1...1000).contains(maximum) else { throw .invalid("max_tasks", "must be between 1 and 1000") }
        let wait = try reader.int("wait_ms") ?? 0
        guard wait >= 0 else { throw .invalid("wait_ms", "must not be negative") }
        self.init(available: try WireExecutor.capacity(available), maximum: Int(maximum), wait: .milliseconds(wait))
    }

    public var json: JSON {
        ["available": WireExecutor.json(available), "max_tasks": .int(Int64(maximum)), "wait_ms": .int(WireExecutor.milliseconds(wait))]
    }
}

/// The answer to a lease poll: `{"leases": [lease]}` (none when the wait ended first).
public struct LeaseGrant: WireMessage {
    public var leases: [Lease]

    public init(leases: [Lease]) { self.leases = leases }

    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        leases = try (reader.array("leases") ?? []).map { item throws(ProvenanceError) in try WireExecutor.lease(item) }
    }

    public var json: JSON { ["leases": .array(leases.map(WireExecutor.json))] }
}

/// `POST /executors/{id}:heartbeat`: `{"tokens": ["TASK.ATTEMPT.SECRET", ...]}`, the leases to extend.
public struct Heartbeat: WireMessage {
    public var tokens: [LeaseToken]

    public init(tokens: [LeaseToken]) { self.tokens = tokens }

    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["tokens"])
        tokens = try (reader.array("tokens") ?? []).enumerated().map { offset, element throws(ProvenanceError) in
            guard case .string(let text) = element else { throw .invalid("tokens[\(offset)]", "expected a lease token") }
            return try LeaseToken(parsing: text, field: "tokens[\(offset)]")
        }
    }

    public var json: JSON { ["tokens": .array(tokens.map { .string($0.description) })] }
}

/// The answer to a heartbeat: `{"leases": [{"token", "held", "lease_expires_since_epoch"?, "cancel"}]}`.
public struct HeartbeatAnswer: WireMessage {
    public var statuses: [LeaseStatus]

    public init(statuses: [LeaseStatus]) { self.statuses = statuses }

    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        statuses = try (reader.array("leases") ?? []).map { entry throws(ProvenanceError) in
            let status = try JSONObjectReader(entry, path: "leases")
            return LeaseStatus(
                token: try LeaseToken(parsing: try status.requiredString("token")),
                leaseExpires: try status.int("lease_expires_since_epoch").map { $0 * 1000 }, cancel: try status.bool("cancel") ?? false)
        }
    }

    public var json: JSON {
        ["leases": .array(statuses.map { status in
            var members: [(key: String, value: JSON)] = [
                (key: "token", value: .string(status.token.description)), (key: "held", value: .bool(status.leaseExpires != nil)),
            ]
            if let expires = status.leaseExpires { members.append((key: "lease_expires_since_epoch", value: .int(expires / 1000))) }
            members.append((key: "cancel", value: .bool(status.cancel)))
            return .object(members)
        })]
    }
}

/// `POST /leases:complete`: `{"token", "outputs": {"NAME": {"uri", "properties", "custom_properties", "state"}}}`.
public struct CompletionReport: WireMessage {
    public var token: LeaseToken
    public var report: AttemptReport

    public init(token: LeaseToken, report: AttemptReport) { (self.token, self.report) = (token, report) }

    public init(json: JSON) throws(ProvenanceError) {
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
        self.init(token: try LeaseToken(parsing: try reader.requiredString("token")), report: AttemptReport(outputs: outputs))
    }

    public var json: JSON {
        ["token": .string(token.description), "outputs": .object(report.outputs.keys.sorted().map { name in
            let output = report.outputs[name]!
            var members: [(key: String, value: JSON)] = [(key: "uri", value: .string(output.uri))]
            members.append((key: "properties", value: Self.properties(output.properties)))
            members.append((key: "custom_properties", value: Self.properties(output.customProperties)))
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
}

/// `POST /leases:fail`: `{"token", "error", "exit_code"?, "log_tail"?, "canceled"?, "released"?}`.
public struct FailureReport: WireMessage {
    public var token: LeaseToken
    public var failure: AttemptFailure

    public init(token: LeaseToken, failure: AttemptFailure) { (self.token, self.failure) = (token, failure) }

    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["token", "error", "exit_code", "log_tail", "canceled", "released"])
        let error = try reader.requiredString("error")
        try Validation.checkText(error, field: "error")
        let tail = try reader.string("log_tail")
        if let tail { try Validation.checkText(tail, field: "log_tail") }
        self.init(
            token: try LeaseToken(parsing: try reader.requiredString("token")),
            failure: AttemptFailure(
                error: error, exitCode: try reader.int("exit_code").map { Int(clamping: $0) }, logTail: tail,
                canceled: try reader.bool("canceled") ?? false, released: try reader.bool("released") ?? false))
    }

    public var json: JSON {
        var members: [(key: String, value: JSON)] = [(key: "token", value: .string(token.description)), (key: "error", value: .string(failure.error))]
        if let code = failure.exitCode { members.append((key: "exit_code", value: .int(Int64(code)))) }
        if let tail = failure.logTail { members.append((key: "log_tail", value: .string(tail))) }
        members.append((key: "canceled", value: .bool(failure.canceled)))
        members.append((key: "released", value: .bool(failure.released)))
        return .object(members)
    }
}

/// `POST /leases:logs`: `{"token", "lines": [{"stream": "stdout"|"stderr", "text"}]}`, at most `maximumLines`.
public struct LogBatch: WireMessage {
    /// The most lines one request may carry.
    public static let maximumLines = 1000

    public var token: LeaseToken
    public var lines: [LogLine]

    public init(token: LeaseToken, lines: [LogLine]) { (self.token, self.lines) = (token, lines) }

    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["token", "lines"])
        let lines = try (reader.array("lines") ?? []).enumerated().map { offset, entry throws(ProvenanceError) in
            let line = try JSONObjectReader(entry, in: "lines", at: offset)
            try line.rejectUnknown(["stream", "text"])
            let name = try line.string("stream") ?? "stdout"
            guard let stream = LogStream(name: name) else { throw .invalid(line.field("stream"), "expected stdout or stderr") }
            return LogLine(stream: stream, text: try line.requiredString("text"))
        }
        guard lines.count <= Self.maximumLines else { throw .invalid("lines", "at most \(Self.maximumLines) lines per request") }
        self.init(token: try LeaseToken(parsing: try reader.requiredString("token")), lines: lines)
    }

    public var json: JSON {
        ["token": .string(token.description), "lines": .array(lines.map { ["stream": .string($0.stream.name), "text": .string($0.text)] })]
    }
}
