import ProvenanceCore

/// The fleet view on the wire: `{"pipeline", "label", "counts": {STATUS: n}, "entries": [{"key", "status",
/// "latest_run", "last_success", "next_fire", "blocked_reason", "serving", "flags"}]}`, entries that stand out first.
public enum WireFleet {
    /// The whole view; `now` gives each run its age.
    public static func json(_ entries: [FleetEntry], pipeline: String, label: String, now: Int64) -> JSON {
        var counts: [(key: String, value: JSON)] = []
        for status in FleetStatus.allCases {
            let count = entries.filter { $0.status == status }.count
            if count > 0 { counts.append((key: status.rawValue, value: .int(Int64(count)))) }
        }
        return .object([
            (key: "pipeline", value: .string(pipeline)), (key: "label", value: .string(label)),
            (key: "counts", value: .object(counts)), (key: "entries", value: .array(entries.map { json($0, now: now) })),
        ])
    }

    static func json(_ entry: FleetEntry, now: Int64) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "key", value: .string(entry.key)), (key: "status", value: .string(entry.status.rawValue)),
            (key: "stands_out", value: .bool(entry.status.standsOut)),
        ]
        if let run = entry.latestRun { members.append((key: "latest_run", value: json(run, now: now))) }
        if let run = entry.lastSuccess { members.append((key: "last_success", value: json(run, now: now))) }
        if let next = entry.nextFire {
            members.append((key: "next_fire", value: [
                "schedule": .string(next.schedule), "time": .string(RFC3339Time.text(microseconds: next.time, fraction: false)),
                "time_since_epoch": .int(next.time / 1000),
            ]))
        }
        if let reason = entry.blockedReason { members.append((key: "blocked_reason", value: .string(reason))) }
        // What serves now, and its drift and quarantine flags, come with deployments.
        members.append((key: "flags", value: .array([])))
        return .object(members)
    }

    static func json(_ run: FleetRun, now: Int64) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "id", value: .int(run.id.rawValue)), (key: "state", value: .string(run.state.name)),
            (key: "create_time_since_epoch", value: .int(run.createTime / 1000)),
            (key: "age_ms", value: .int(max(0, now - run.createTime) / 1000)),
        ]
        if let end = run.endTime { members.append((key: "end_time_since_epoch", value: .int(end / 1000))) }
        return .object(members)
    }
}
