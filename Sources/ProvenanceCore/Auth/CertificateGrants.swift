/// What client certificates may do, by subject: the way MLMD's official client authenticates (it sends no
/// metadata, only a certificate), configured in a file (`--client-certificates`):
/// `[{"subject": "CN=tfx-pipelines,O=Acme", "role": "writer", "namespaces": ["default"]}, ...]` (YAML too).
///
/// A subject is matched as the server writes it (the text a refused certificate's error quotes), so it can be
/// copied from there.
public struct CertificateGrants: Sendable {
    /// The principal of each subject.
    public let principals: [String: Principal]

    /// No grants.
    public init() {
        principals = [:]
    }

    /// Reads the grants file's JSON value; each mistake names its entry.
    public init(json: JSON) throws(ProvenanceError) {
        guard case .array(let entries) = json else {
            throw .invalid("", "expected a list of {subject, role, namespaces}")
        }
        var principals: [String: Principal] = [:]
        for (index, entry) in entries.enumerated() {
            let reader = try JSONObjectReader(entry, path: "[\(index)]")
            try reader.rejectUnknown(["subject", "role", "namespaces"])
            let subject = try reader.requiredString("subject")
            try Validation.requireName(subject, field: reader.field("subject"))
            let names = try reader.strings("namespaces", each: "a namespace name") ?? []
            let role = try Role(parsing: try reader.requiredString("role"), field: reader.field("role"))
            let scope = try NamespaceScope(parsing: names, field: reader.field("namespaces"))
            guard principals.updateValue(
                Principal(name: subject, source: .certificate, role: role, namespaces: scope), forKey: subject) == nil
            else {
                throw .invalid(reader.field("subject"), "'\(subject)' is granted twice")
            }
        }
        self.principals = principals
    }

    /// Whether any certificate is granted anything (then every request needs a credential).
    public var isEmpty: Bool { principals.isEmpty }
}
