import PostgresNIO
import ProvenanceCore

/// A unique key a write ran into, told in the API's words: which field, which value, never the table's columns.
///
/// PostgreSQL reports the key as `Key (namespace_id, external_id)=(1, ds-train) already exists.`; the leading
/// columns (namespace, type, kind) are ours, so only the client's own value is kept, and the write that caused it
/// can then name the request field that holds that value.
struct UniqueConflict: Sendable, Equatable {
    /// The kind of node whose key it is, for node keys.
    var kind: NodeKind?
    /// The client's field (`name`, `external_id`), if the key is one field of the client's.
    var field: String?
    /// The conflicting value, as the client wrote it.
    var value: String?
    /// The sentence for the client, without the request path.
    var message: String

    /// The keys of each unique constraint: what holds it, the client's field, and how many of our own columns lead
    /// the key before the client's value.
    private struct Key {
        let subject: String
        let kind: NodeKind?
        let field: String
        let leadingColumns: Int
    }

    private static let keys: [String: Key] = {
        var keys: [String: Key] = [
            "namespaces_name_key": Key(subject: "a namespace", kind: nil, field: "name", leadingColumns: 0),
            "types_external_id_key": Key(subject: "a type", kind: nil, field: "external_id", leadingColumns: 2),
        ]
        for kind in NodeKind.allCases {
            let article = kind == .artifact || kind == .execution ? "an" : "a"
            keys["\(kind.plural)_type_name_key"] = Key(
                subject: "\(article) \(kind.rawValue) of this type", kind: kind, field: "name", leadingColumns: 1)
            keys["\(kind.plural)_external_id_key"] = Key(
                subject: "\(article) \(kind.rawValue)", kind: kind, field: "external_id", leadingColumns: 1)
        }
        return keys
    }()

    /// The conflict a unique violation reports.
    init(_ info: PSQLError.ServerInfo) {
        let constraint = info[.constraintName] ?? ""
        let values = info[.detail].flatMap(Self.keyValues)
        switch constraint {
        case "types_name_version_key":
            message = "a type with this name and version already exists"
        case "events_pkey":
            let parts = values?.split(separator: ", ").map(String.init) ?? []
            if parts.count == 3, let type = Int16(parts[2]).flatMap(EventType.init(rawValue:)) {
                message = "an \(type.name) event between artifact \(parts[0]) and execution \(parts[1]) already exists"
            } else {
                message = "this event already exists"
            }
        case "parent_contexts_pkey":
            let parts = values?.split(separator: ", ").map(String.init) ?? []
            message = parts.count == 2 ? "context \(parts[1]) is already a parent of context \(parts[0])" : "this parent context link already exists"
        default:
            guard let key = Self.keys[constraint] else {
                message = "an object with this key already exists"
                return
            }
            kind = key.kind
            field = key.field
            // The client's value follows our own (integer) columns; it may itself contain ", ".
            value = values.map { text in
                var rest = Substring(text)
                for _ in 0..<key.leadingColumns {
                    guard let comma = rest.range(of: ", ") else { break }
                    rest = rest[comma.upperBound...]
                }
                return String(rest)
            }
            message = "\(key.subject) with \(key.field) '\(value ?? "?")' already exists"
        }
    }

    /// `1, ds-train` from `Key (namespace_id, external_id)=(1, ds-train) already exists.`.
    private static func keyValues(_ detail: String) -> String? {
        guard let start = detail.range(of: ")=("), let end = detail.range(of: ") already exists", options: .backwards)
        else { return nil }
        return String(detail[start.upperBound..<end.lowerBound])
    }

    /// The error for the client. Its details name the conflicting field and value (and the kind of node), which a
    /// write turns into the path of the request field holding that value (`UniqueConflict.locate`).
    var error: ProvenanceError {
        var details: [(key: String, value: JSON)] = []
        if let kind { details.append((key: "kind", value: .string(kind.rawValue))) }
        if let field { details.append((key: "field", value: .string(field))) }
        if let value { details.append((key: "value", value: .string(value))) }
        return ProvenanceError(.alreadyExists, message, details: details.isEmpty ? nil : .object(details))
    }

    /// `error` with its message led by the path of the node in `write` that holds the conflicting value, when one
    /// does (`inputs[0].external_id: an artifact with external_id 'ds-train' already exists`).
    static func locate(_ error: ProvenanceError, in write: LineageWrite, names: LineageWriteFieldNames) -> ProvenanceError {
        guard error.code == .alreadyExists, case .string(let kindName)? = error.details?["kind"],
            let kind = NodeKind(rawValue: kindName), case .string(let field)? = error.details?["field"],
            case .string(let value)? = error.details?["value"]
        else { return error }
        // Two nodes of the request with the value: the second collided with the first; else the one collided with a
        // stored node.
        let holders = write.nodes(kind).indices.filter { write.nodes(kind)[$0].sets(field, to: value) }
        guard let offset = holders.count > 1 ? holders[1] : holders.first else { return error }
        let path = Validation.join(names.path(kind, offset), field)
        return ProvenanceError(.alreadyExists, "\(path): \(error.message)", details: ["field": .string(path), "value": .string(value)])
    }
}

extension NodeWrite {
    /// Whether this node's write gives `field` (`name` or `external_id`) the value `value`.
    fileprivate func sets(_ field: String, to value: String) -> Bool {
        switch (self, field) {
        case (.create(let draft), "name"): draft.name == value
        case (.create(let draft), "external_id"): draft.externalID == value
        case (.update(_, let patch), "name"): patch.name == .set(value)
        case (.update(_, let patch), "external_id"): patch.externalID == .set(value)
        default: false
        }
    }
}
