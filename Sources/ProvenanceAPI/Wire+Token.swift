import ProvenanceCore

/// API tokens, the caller's identity and the audit log on the wire. A token's secret appears in exactly one
/// answer, the one that made it.
public enum WireToken {
    /// A token request: `{"name", "role", "namespaces": ["ns", ...] or ["*"], "expires": "30d"}`.
    public static func request(_ json: JSON) throws(ProvenanceError) -> TokenRequest {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["name", "role", "namespaces", "expires"])
        guard let names = try reader.strings("namespaces", each: "a namespace name") else {
            throw .invalid("namespaces", "is required: the namespaces the token holds, or [\"*\"] for all")
        }
        return try TokenRequest(
            name: try reader.requiredString("name"), role: try Role(parsing: try reader.requiredString("role")),
            namespaces: try NamespaceScope(parsing: names), lifetime: try reader.duration("expires"))
    }

    /// The JSON of a token request.
    public static func json(_ request: TokenRequest) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "name", value: .string(request.name)), (key: "role", value: .string(request.role.rawValue)),
            (key: "namespaces", value: namespaces(request.namespaces)),
        ]
        if let lifetime = request.lifetime {
            members.append((key: "expires", value: .string(SettingDuration.describe(lifetime))))
        }
        return .object(members)
    }

    /// `["a", "b"]`, or `["*"]` for all.
    public static func namespaces(_ scope: NamespaceScope) -> JSON {
        .array((scope.names ?? ["*"]).map(JSON.string))
    }

    /// A token without its secret: `{"id", "name", "role", "namespaces", "prefix", "created_by",
    /// "create_time_since_epoch", "expire_time_since_epoch"?, "revoke_time_since_epoch"?, "internal"}`.
    public static func json(_ token: APIToken) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "id", value: .int(token.id)), (key: "name", value: .string(token.name)),
            (key: "role", value: .string(token.role.rawValue)), (key: "namespaces", value: namespaces(token.namespaces)),
            (key: "prefix", value: .string(token.displayPrefix)), (key: "created_by", value: .string(token.createdBy)),
            (key: "create_time_since_epoch", value: .int(token.createTime / 1000)),
        ]
        if let expires = token.expireTime { members.append((key: "expire_time_since_epoch", value: .int(expires / 1000))) }
        if let revoked = token.revokeTime { members.append((key: "revoke_time_since_epoch", value: .int(revoked / 1000))) }
        members.append((key: "internal", value: .bool(token.isInternal)))
        return .object(members)
    }

    /// A token just made: its record with `"token": "prov_..."`, the secret, shown this once.
    public static func json(_ issued: IssuedToken) -> JSON {
        guard case .object(var members) = json(issued.token) else { return .null }
        members.append((key: "token", value: .string(issued.secret.text)))
        return .object(members)
    }

    /// The caller: `{"name", "source", "roles", "namespaces"}`.
    public static func json(_ principal: Principal) -> JSON {
        [
            "name": .string(principal.name), "source": .string(principal.source.rawValue),
            "roles": .array(Role.allCases.filter(principal.roles.contains).map { .string($0.rawValue) }),
            "namespaces": namespaces(principal.namespaces),
        ]
    }

    /// An audit entry: `{"id", "time_since_epoch", "actor": {"name", "source", "address"?}, "action", "namespaces",
    /// "target", "details"}`.
    public static func json(_ entry: AuditEntry) -> JSON {
        var actor: [(key: String, value: JSON)] = [
            (key: "name", value: .string(entry.actor.name)), (key: "source", value: .string(entry.actor.source)),
        ]
        if let address = entry.actor.address { actor.append((key: "address", value: .string(address))) }
        return [
            "id": .int(entry.id), "time_since_epoch": .int(entry.time / 1000), "actor": .object(actor),
            "action": .string(entry.action), "namespaces": namespaces(entry.namespaces), "target": .string(entry.target),
            "details": entry.details,
        ]
    }
}
