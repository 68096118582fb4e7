import Yams

/// A YAML value as the contract tests need it.
public indirect enum YAMLValue: Equatable, Sendable {
    case scalar(String)
    case list([YAMLValue])
    case map([(key: String, value: YAMLValue)])
    case null

    public static func == (lhs: YAMLValue, rhs: YAMLValue) -> Bool {
        switch (lhs, rhs) {
        case (.scalar(let a), .scalar(let b)): a == b
        case (.list(let a), .list(let b)): a == b
        case (.map(let a), .map(let b)): a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
        case (.null, .null): true
        default: false
        }
    }

    /// The member `key` of a mapping.
    public subscript(key: String) -> YAMLValue? {
        guard case .map(let members) = self else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    /// The keys of a mapping, in order.
    public var keys: [String] {
        guard case .map(let members) = self else { return [] }
        return members.map(\.key)
    }

    /// The scalar text, if this is a scalar.
    public var text: String? {
        guard case .scalar(let text) = self else { return nil }
        return text
    }

    /// The scalars of a list.
    public var texts: [String] {
        guard case .list(let items) = self else { return [] }
        return items.compactMap(\.text)
    }
}

/// Reads YAML documents (api/openapi.yaml) into `YAMLValue`s, through Yams, keeping mappings in their order.
public enum YAMLDocument {
    /// The value of the document `text`.
    public static func parse(_ text: String) throws -> YAMLValue {
        guard let node = try Yams.compose(yaml: text) else { return .null }
        return value(node)
    }

    private static func value(_ node: Node) -> YAMLValue {
        switch node {
        case .scalar(let scalar):
            return scalar.tag == Tag(.null) || (scalar.style == .plain && ["~", "null", ""].contains(scalar.string))
                ? .null : .scalar(scalar.string)
        case .mapping(let mapping):
            return .map(mapping.map { (key: $0.key.string ?? "", value: value($0.value)) })
        case .sequence(let sequence):
            return .list(sequence.map(value))
        case .alias:
            return .null
        }
    }
}
