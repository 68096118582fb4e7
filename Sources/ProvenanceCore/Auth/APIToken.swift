/// An API token as the server keeps it: everything but the secret, of which it holds only a digest.
public struct APIToken: Sendable, Hashable {
    /// The stored id.
    public var id: Int64
    /// A name people give it (`ci-train`, `alice-laptop`).
    public var name: String
    /// The role it grants.
    public var role: Role
    /// Where it grants it.
    public var namespaces: NamespaceScope
    /// The secret's first characters, to tell tokens apart.
    public var displayPrefix: String
    /// Who made it (a principal's name).
    public var createdBy: String
    /// When, microseconds since the Unix epoch.
    public var createTime: Int64
    /// When it stops working, if ever (microseconds since the Unix epoch).
    public var expireTime: Int64?
    /// When it was revoked, if it was.
    public var revokeTime: Int64?
    /// Tokens the server makes for itself (its local executor's); they do not switch authentication on.
    public var isInternal: Bool

    /// Creates a token value.
    public init(
        id: Int64, name: String, role: Role, namespaces: NamespaceScope, displayPrefix: String, createdBy: String,
        createTime: Int64, expireTime: Int64?, revokeTime: Int64?, isInternal: Bool
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.namespaces = namespaces
        self.displayPrefix = displayPrefix
        self.createdBy = createdBy
        self.createTime = createTime
        self.expireTime = expireTime
        self.revokeTime = revokeTime
        self.isInternal = isInternal
    }

    /// The principal a request carrying this token acts as.
    public var principal: Principal {
        Principal(name: name, source: .token, role: role, namespaces: namespaces, tokenID: id)
    }
}

/// What a new token should be.
public struct TokenRequest: Sendable, Hashable {
    /// Its name, for people and the audit log.
    public var name: String
    /// The role it grants.
    public var role: Role
    /// Where.
    public var namespaces: NamespaceScope
    /// How long it lasts; nil for ever.
    public var lifetime: Duration?
    /// Whether the server made it for itself.
    public var isInternal: Bool

    /// Creates a request, checking the name and the lifetime.
    public init(name: String, role: Role, namespaces: NamespaceScope, lifetime: Duration? = nil, isInternal: Bool = false)
        throws(ProvenanceError)
    {
        try Validation.requireName(name, field: "name")
        if let lifetime, lifetime <= .zero { throw .invalid("expires", "must be a positive duration such as 30d or 12h") }
        self.name = name
        self.role = role
        self.namespaces = namespaces
        self.lifetime = lifetime
        self.isInternal = isInternal
    }
}

/// A token just made: its record and its secret, which is shown this once and never again.
public struct IssuedToken: Sendable {
    /// The stored record.
    public var token: APIToken
    /// The secret to hand to its holder.
    public var secret: TokenSecret

    /// Creates an issued token.
    public init(token: APIToken, secret: TokenSecret) {
        self.token = token
        self.secret = secret
    }
}
