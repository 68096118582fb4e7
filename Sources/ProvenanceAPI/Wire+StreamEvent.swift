import ProvenanceCore

/// The live stream's events as Server-Sent Events: `id: TX-ID`, `event: KIND`, `data: JSON` (the change, with
/// states by name, and `time` in milliseconds since the epoch).
public enum WireStreamEvent {
    /// One SSE message.
    public static func message(_ event: StreamEvent) -> String {
        "id: \(event.cursor)\nevent: \(event.kind)\ndata: \(JSONWriter.string(data(event)))\n\n"
    }

    /// A message without an id (the stream's own notices: `reset`, `dropped`, `shutdown`).
    public static func notice(_ kind: String, reason: String) -> String {
        "event: \(kind)\ndata: \(JSONWriter.string(["reason": .string(reason)]))\n\n"
    }

    /// The event's data: its payload with states named, and its time.
    public static func data(_ event: StreamEvent) -> JSON {
        guard case .object(var members) = event.payload else { return event.payload }
        func named(_ json: JSON, _ name: (Int16) -> String?) -> JSON {
            guard case .int(let number) = json, let text = name(Int16(clamping: number)) else { return json }
            return .string(text)
        }
        func renaming(_ members: [(key: String, value: JSON)], _ name: @escaping (Int16) -> String?) -> [(key: String, value: JSON)] {
            members.map { $0.key == "state" ? (key: "state", value: named($0.value, name)) : $0 }
        }
        switch event.kind {
        case "run":
            members = renaming(members) { RunState(rawValue: $0)?.name }
        case "tasks", "attempts":
            let list = event.kind
            let name: (Int16) -> String? =
                list == "tasks" ? { TaskState(rawValue: $0)?.name } : { AttemptState(rawValue: $0)?.name }
            members = members.map { member in
                guard member.key == list, case .array(let items) = member.value else { return member }
                return (key: list, value: .array(items.map { item in
                    guard case .object(let fields) = item else { return item }
                    return .object(renaming(fields, name))
                }))
            }
        default:
            break
        }
        members.append((key: "time", value: .int(event.time)))
        return .object(members)
    }
}
