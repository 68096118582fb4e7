/// What the holders of OIDC JWTs may do, by their claims: the rules of the file `--oidc-grants` names, e.g.
///
/// ```yaml
/// - {claim: groups, equals: ml-platform, role: admin, namespaces: ["*"]}
/// - {claim: groups, equals: data-science, role: writer, namespaces: [default, search]}
/// - {claim: provenance_namespaces, role: reader}     # the claim's own values are the namespaces
/// ```
///
/// The rules are tried in order and the first that matches decides (as a firewall's do), so a JWT always maps to one
/// role over one set of namespaces, and a reader of the file sees which rule wins. A rule matches when the claim is
/// present and, with `equals`, when the claim is that string or a list holding it. A rule without `namespaces`
/// grants the namespaces the claim itself names (its string or list of strings, each a valid namespace name).
public struct ClaimGrants: Sendable {
    /// One rule of the file.
    public struct Rule: Sendable, Hashable {
        /// The claim looked at (a top-level claim of the JWT's payload).
        public var claim: String
        /// The value the claim must be (or hold, for a list); nil matches any value.
        public var equals: String?
        /// The role granted.
        public var role: Role
        /// The namespaces granted; nil grants those the claim names.
        public var namespaces: NamespaceScope?
    }

    /// The rules, in order.
    public let rules: [Rule]

    /// Reads the grants file's JSON value; each mistake names its entry.
    public init(json: JSON) throws(ProvenanceError) {
        guard case .array(let entries) = json else {
            throw .invalid("", "expected a list of {claim, equals, role, namespaces}")
        }
        var rules: [Rule] = []
        for (index, entry) in entries.enumerated() {
            let reader = try JSONObjectReader(entry, path: "[\(index)]")
            try reader.rejectUnknown(["claim", "equals", "role", "namespaces"])
            let claim = try reader.requiredString("claim")
            try Validation.requireName(claim, field: reader.field("claim"))
            let namespaces = try reader.strings("namespaces", each: "a namespace name").map {
                (names) throws(ProvenanceError) in try NamespaceScope(parsing: names, field: reader.field("namespaces"))
            }
            rules.append(Rule(
                claim: claim, equals: try reader.string("equals"),
                role: try Role(parsing: try reader.requiredString("role"), field: reader.field("role")),
                namespaces: namespaces))
        }
        self.rules = rules
    }

    /// The principal named `name` whose verified claims are `claims` (the JWT's payload object), or nil when no
    /// rule grants it anything.
    public func principal(name: String, claims: [(key: String, value: JSON)]) -> Principal? {
        for rule in rules {
            guard let value = claims.first(where: { $0.key == rule.claim })?.value else { continue }
            let values = Self.strings(value)
            if let equals = rule.equals, !values.contains(equals) { continue }
            let scope: NamespaceScope
            if let granted = rule.namespaces {
                scope = granted
            } else {
                let named = values.filter { (try? Validation.checkNamespaceName($0, field: "")) != nil }
                guard !named.isEmpty else { continue }
                scope = .only(Set(named))
            }
            return Principal(name: name, source: .oidc, role: rule.role, namespaces: scope)
        }
        return nil
    }

    /// A claim's string values: the string, or the strings of a list (other values count for nothing).
    private static func strings(_ value: JSON) -> [String] {
        switch value {
        case .string(let text): [text]
        case .array(let elements): elements.compactMap { if case .string(let text) = $0 { text } else { nil } }
        default: []
        }
    }
}
