/// The namespaces a credential holds: some by name, or all of them (those made later too).
public enum NamespaceScope: Sendable, Hashable, CustomStringConvertible {
    /// Every namespace.
    case all
    /// Just these.
    case only(Set<String>)

    /// Whether `namespace` is held.
    public func contains(_ namespace: String) -> Bool {
        switch self {
        case .all: true
        case .only(let names): names.contains(namespace)
        }
    }

    /// Whether every namespace of `other` is held here.
    public func covers(_ other: NamespaceScope) -> Bool {
        switch (self, other) {
        case (.all, _): true
        case (.only, .all): false
        case (.only(let mine), .only(let theirs)): theirs.isSubset(of: mine)
        }
    }

    /// The names held, sorted; nil for all.
    public var names: [String]? {
        switch self {
        case .all: nil
        case .only(let names): names.sorted()
        }
    }

    /// `*` for all, else the names joined by commas.
    public var description: String { names?.joined(separator: ",") ?? "*" }

    /// Reads the namespaces of a token request: `*` alone is all; otherwise valid namespace names, at least one.
    public init(parsing names: [String], field: String = "namespaces") throws(ProvenanceError) {
        if names == ["*"] {
            self = .all
            return
        }
        guard !names.isEmpty else { throw .invalid(field, "name at least one namespace, or * for all") }
        for (index, name) in names.enumerated() {
            try Validation.checkNamespaceName(name, field: "\(field)[\(index)]")
        }
        self = .only(Set(names))
    }
}
