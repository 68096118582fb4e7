extension ScheduleSpec {
    /// Reads a schedule from its JSON (or YAML) form, naming the first bad field:
    ///
    /// `{"name", "description", "pipeline", "version", "parameters": {...}, "labels": {...}, "cache",
    /// "cron": "0 2 * * *", "time_zone": "Europe/Berlin", "dst": "shift|skip|repeat" | "interval": "6h" |
    /// "on_artifact": {"type", "filter", "parameter"},
    /// "start_time": "RFC 3339", "end_time": "RFC 3339", "catch_up": "none|latest|all", "catch_up_limit",
    /// "overlap": "skip|queue|cancel_oldest", "max_concurrency"}`.
    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown([
            "name", "description", "pipeline", "version", "parameters", "labels", "cache", "cron", "time_zone", "dst",
            "interval", "on_artifact", "start_time", "end_time", "catch_up", "catch_up_limit", "overlap", "max_concurrency",
        ])
        let name = try reader.requiredString("name")
        try PipelineNames.checkName(name, field: "name")
        let pipeline = try reader.requiredString("pipeline")
        try PipelineNames.checkName(pipeline, field: "pipeline")
        let version = try reader.string("version")
        if let version { try Validation.checkText(version, field: "version") }
        var labels: [String: String] = [:]
        for member in try reader.members("labels") ?? [] {
            guard case .string(let value) = member.value else {
                throw .invalid("labels.\(member.key)", "expected a string, got \(member.value.kindName)")
            }
            labels[member.key] = value
        }
        var parameters: [String: JSON] = [:]
        for member in try reader.members("parameters") ?? [] { parameters[member.key] = member.value }
        let timing = try Self.timing(reader)
        if case .artifacts(let trigger) = timing {
            for field in ["start_time", "end_time", "catch_up", "catch_up_limit"] where reader.contains(field) {
                throw .invalid(field, "applies to time triggers; a data trigger consumes every new artifact")
            }
            if parameters[trigger.parameter] != nil {
                throw .invalid("parameters.\(trigger.parameter)", "is given each fire's artifact by on_artifact.parameter")
            }
        }
        self.init(
            name: name, pipeline: pipeline, timing: timing, description: try reader.string("description"),
            version: version, parameters: parameters, labels: labels, cache: try reader.bool("cache") ?? true,
            startTime: try Self.time(reader, "start_time"), endTime: try Self.time(reader, "end_time"),
            catchUp: try Self.policy(reader, "catch_up", default: .latest),
            catchUpLimit: try Self.count(reader, "catch_up_limit", in: Self.catchUpLimits) ?? Self.defaultCatchUpLimit,
            // A data trigger's arrivals wait for room by default: none is lost to a busy schedule.
            overlap: try Self.policy(reader, "overlap", default: timing.isArtifacts ? .queue : .skip),
            maxConcurrency: try Self.count(reader, "max_concurrency", in: Self.concurrencyLimits) ?? Self.defaultMaxConcurrency)
        if let description { try Validation.checkText(description, field: "description") }
        try RunRequest(pipeline: pipeline, parameters: parameters, labels: labels).validate()
        if let startTime, let endTime, endTime <= startTime {
            throw .invalid("end_time", "comes before start_time: the schedule would never fire")
        }
    }

    private static func timing(_ reader: JSONObjectReader) throws(ProvenanceError) -> ScheduleTiming {
        let cron = try reader.string("cron")
        let interval = try reader.duration("interval")
        if let data = reader.value("on_artifact") {
            guard cron == nil, interval == nil else { throw .invalid("on_artifact", "give cron, interval or on_artifact, not two") }
            for field in ["time_zone", "dst"] where reader.contains(field) {
                throw .invalid(field, "applies to cron schedules only")
            }
            return .artifacts(try ArtifactTrigger(json: data, path: "on_artifact"))
        }
        switch (cron, interval) {
        case (let expression?, nil):
            let zone = try reader.string("time_zone").map { name throws(ProvenanceError) in
                try ScheduleTimeZone(identifier: name, field: "time_zone")
            } ?? .utc
            return .cron(
                try CronExpression(parsing: expression, field: "cron"), timeZone: zone,
                dst: try policy(reader, "dst", default: DaylightSavingPolicy.shift))
        case (nil, let every?):
            for field in ["time_zone", "dst"] where reader.contains(field) {
                throw .invalid(field, "applies to cron schedules only; an interval counts real time")
            }
            let micros = every.components.seconds * 1_000_000 + every.components.attoseconds / 1_000_000_000_000
            guard micros >= ScheduleTrigger.minimumInterval else { throw .invalid("interval", "must be at least 1s") }
            return .interval(micros)
        case (nil, nil):
            throw .invalid("cron", "a schedule needs a trigger: cron (with time_zone), interval or on_artifact")
        case (.some, .some):
            throw .invalid("interval", "give cron or interval, not both")
        }
    }

    private static func time(_ reader: JSONObjectReader, _ key: String) throws(ProvenanceError) -> Int64? {
        guard let text = try reader.string(key) else { return nil }
        return try RFC3339Time.microseconds(text, field: key)
    }

    private static func count(_ reader: JSONObjectReader, _ key: String, in range: ClosedRange<Int>) throws(ProvenanceError) -> Int? {
        guard let value = try reader.int(key) else { return nil }
        guard range.contains(Int(clamping: value)) else {
            throw .invalid(key, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return Int(value)
    }

    private static func policy<Policy: RawRepresentable & CaseIterable>(
        _ reader: JSONObjectReader, _ key: String, default fallback: Policy
    ) throws(ProvenanceError) -> Policy where Policy.RawValue == String {
        guard let text = try reader.string(key) else { return fallback }
        guard let policy = Policy(rawValue: text) else {
            throw .invalid(key, "'\(text)' is not one of \(Policy.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return policy
    }

    /// The canonical JSON form: the shape `init(json:)` reads, every policy spelt out.
    public var json: JSON {
        var members: [(key: String, value: JSON)] = [(key: "name", value: .string(name))]
        if let description { members.append((key: "description", value: .string(description))) }
        members.append((key: "pipeline", value: .string(pipeline)))
        if let version { members.append((key: "version", value: .string(version))) }
        members.append((key: "parameters", value: .object(parameters.keys.sorted().map { (key: $0, value: parameters[$0]!) })))
        members.append((key: "labels", value: .object(labels.keys.sorted().map { (key: $0, value: .string(labels[$0]!)) })))
        members.append((key: "cache", value: .bool(cache)))
        switch timing {
        case .cron(let expression, let zone, let dst):
            members += [
                (key: "cron", value: .string(expression.text)), (key: "time_zone", value: .string(zone.identifier)),
                (key: "dst", value: .string(dst.name)),
            ]
        case .interval(let micros):
            members.append((key: "interval", value: .string(SettingDuration.describe(.microseconds(micros)))))
        case .artifacts(let trigger):
            members.append((key: "on_artifact", value: trigger.json))
        }
        if let startTime { members.append((key: "start_time", value: .string(RFC3339Time.text(microseconds: startTime)))) }
        if let endTime { members.append((key: "end_time", value: .string(RFC3339Time.text(microseconds: endTime)))) }
        if !timing.isArtifacts {
            members += [
                (key: "catch_up", value: .string(catchUp.name)), (key: "catch_up_limit", value: .int(Int64(catchUpLimit))),
            ]
        }
        members += [(key: "overlap", value: .string(overlap.name)), (key: "max_concurrency", value: .int(Int64(maxConcurrency)))]
        return .object(members)
    }
}

extension ScheduleTiming {
    /// Whether it is a data trigger.
    public var isArtifacts: Bool {
        if case .artifacts = self { return true }
        return false
    }
}
