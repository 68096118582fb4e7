/// Who is calling, once their credential has been checked: what they may do and where.
public struct Principal: Sendable, Hashable {
    /// How the caller proved who they are.
    public enum Source: String, Sendable, Hashable {
        /// No credential: the server runs without authentication (loopback only, or `--insecure-no-auth`).
        case open
        /// An API token (`Authorization: Bearer prov_...`).
        case token
        /// A JWT from the configured OIDC issuer.
        case oidc
        /// A client certificate (mutual TLS).
        case certificate
        /// A running attempt's fencing token, which its executor hands the step: a writer in the run's namespace
        /// for as long as the attempt runs.
        case lease
    }

    /// A name for logs and the audit log (the token's name, the JWT's subject, the certificate's subject); never
    /// a secret.
    public var name: String
    /// How the caller proved it.
    public var source: Source
    /// The roles held (a role implies the lesser ones).
    public var roles: Set<Role>
    /// Where they hold them.
    public var namespaces: NamespaceScope
    /// The API token's id, for tokens.
    public var tokenID: Int64?

    /// Creates a principal holding `role` (and the roles it implies) in `namespaces`.
    public init(name: String, source: Source, role: Role, namespaces: NamespaceScope, tokenID: Int64? = nil) {
        self.name = name
        self.source = source
        self.roles = role.implied
        self.namespaces = namespaces
        self.tokenID = tokenID
    }

    /// The caller of a server without authentication: every role everywhere.
    public static let open = {
        var principal = Principal(name: "anonymous", source: .open, role: .admin, namespaces: .all)
        principal.roles = Set(Role.allCases)
        return principal
    }()

    /// Whether the caller acts as `role` in `namespace`.
    public func holds(_ role: Role, in namespace: String) -> Bool {
        roles.contains(role) && namespaces.contains(namespace)
    }

    /// Whether the caller acts as `role` in every namespace of `scope`.
    public func holds(_ role: Role, over scope: NamespaceScope) -> Bool {
        roles.contains(role) && namespaces.covers(scope)
    }

    /// The best role held (for showing who someone is).
    public var highestRole: Role { roles.max() ?? .reader }
}
