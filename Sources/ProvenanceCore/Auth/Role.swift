/// What a credential may do within the namespaces it holds.
///
/// Roles are ranked for people (`reader` < `writer` < `admin`); `executor` stands apart: it runs steps and does
/// nothing else, so a leaked executor credential can neither read lineage nor register a component to run.
public enum Role: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Every read of the namespace.
    case reader
    /// Reads, plus metadata writes, components, pipelines, runs, cancel and retry.
    case writer
    /// Register, lease, heartbeat, complete, fail and logs, and nothing else.
    case executor
    /// Writes, plus namespaces, tokens and the audit log.
    case admin

    /// The roles a holder of this one may act in.
    public var implied: Set<Role> {
        switch self {
        case .reader: [.reader]
        case .writer: [.reader, .writer]
        case .executor: [.executor]
        case .admin: [.reader, .writer, .admin]
        }
    }

    /// Reads a role's name; anything else is an error at `field` listing the names.
    public init(parsing text: String, field: String = "role") throws(ProvenanceError) {
        guard let role = Role(rawValue: text) else {
            throw .invalid(field, "unknown role '\(text)'; expected one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = role
    }

    private var rank: Int { Role.allCases.firstIndex(of: self)! }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}
