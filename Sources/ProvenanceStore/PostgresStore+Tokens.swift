import NIOCore
import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Makes a token (a new random secret, or `secret` when given: the admin token file's) and records it in the
    /// audit log in the same transaction. The namespaces it names must exist. A secret already registered is
    /// `alreadyExists`.
    public func createToken(_ request: TokenRequest, secret given: TokenSecret? = nil, actor: AuditActor)
        async throws(ProvenanceError) -> IssuedToken
    {
        let secret = given ?? TokenSecret.generate()
        let names = request.namespaces.names
        let lifetime = request.lifetime.map(Self.seconds)
        let token: APIToken = try await transaction { [self] connection in
            if let names {
                var existing: Set<String> = []
                for try await name in try await connection.query(
                    "SELECT name FROM namespaces WHERE name = ANY(\(names))", logger: logger
                ).decode(String.self) { existing.insert(name) }
                if let (index, missing) = names.enumerated().first(where: { !existing.contains($0.element) }) {
                    throw ProvenanceError(
                        .notFound, "namespaces[\(index)]: namespace '\(missing)' not found",
                        details: ["field": .string("namespaces[\(index)]")])
                }
            }
            var token: APIToken?
            for try await row in try await connection.query(
                """
                INSERT INTO api_tokens (name, role, namespaces, digest, display_prefix, created_by, expire_time, internal)
                VALUES (\(request.name), \(request.role.rawValue), \(names)::text[], \(ByteBuffer(bytes: secret.digest)),
                        \(secret.displayPrefix), \(actor.name),
                        now() + \(lifetime)::float8 * interval '1 second', \(request.isInternal))
                ON CONFLICT (digest) DO NOTHING
                RETURNING \(unescaped: TokenRow.columns)
                """, logger: logger)
            {
                token = try TokenRow(row).token
            }
            guard let token else { throw ProvenanceError(.alreadyExists, "this token secret is already registered") }
            try await Self.appendAudit(
                connection, actor: actor, action: "token.create", namespaces: request.namespaces,
                target: "token \(token.id)",
                details: ["name": .string(token.name), "role": .string(token.role.rawValue),
                          "prefix": .string(token.displayPrefix)], logger: logger)
            return token
        }
        return IssuedToken(token: token, secret: secret)
    }

    /// The tokens whose namespaces lie within `scope` (all of them for `.all`), newest first.
    public func listTokens(visibleTo scope: NamespaceScope) async throws(ProvenanceError) -> [APIToken] {
        try await perform { [self] connection in
            var tokens: [APIToken] = []
            for try await row in try await connection.query(
                """
                SELECT \(unescaped: TokenRow.columns) FROM api_tokens
                WHERE \(scope.names)::text[] IS NULL OR (namespaces IS NOT NULL AND namespaces <@ \(scope.names)::text[])
                ORDER BY id DESC
                """, logger: logger)
            {
                tokens.append(try TokenRow(row).token)
            }
            return tokens
        }
    }

    /// Revokes token `id` if its namespaces lie within `scope`, recording it in the audit log; revoking a revoked
    /// token changes nothing. Returns the token as it now stands.
    public func revokeToken(_ id: Int64, visibleTo scope: NamespaceScope, actor: AuditActor) async throws(ProvenanceError)
        -> APIToken
    {
        try await transaction { [self] connection in
            var found: APIToken?
            for try await row in try await connection.query(
                """
                SELECT \(unescaped: TokenRow.columns) FROM api_tokens
                WHERE id = \(id) AND (\(scope.names)::text[] IS NULL OR (namespaces IS NOT NULL AND namespaces <@ \(scope.names)::text[]))
                FOR UPDATE
                """, logger: logger)
            {
                found = try TokenRow(row).token
            }
            guard var token = found else { throw ProvenanceError.notFound("token \(id) not found") }
            guard token.revokeTime == nil else { return token }
            for try await time in try await connection.query(
                "UPDATE api_tokens SET revoke_time = now() WHERE id = \(id) RETURNING \(unescaped: Self.microseconds("revoke_time"))",
                logger: logger
            ).decode(Int64.self) { token.revokeTime = time }
            try await Self.appendAudit(
                connection, actor: actor, action: "token.revoke", namespaces: token.namespaces, target: "token \(id)",
                details: ["name": .string(token.name)], logger: logger)
            return token
        }
    }

    /// The token whose secret has `digest`, revoked and expired ones too (so the caller can say which); nil if
    /// none has it.
    public func token(digest: [UInt8]) async throws(ProvenanceError) -> APIToken? {
        try await perform { [self] connection in
            for try await row in try await connection.query(
                "SELECT \(unescaped: TokenRow.columns) FROM api_tokens WHERE digest = \(ByteBuffer(bytes: digest))",
                logger: logger)
            {
                return try TokenRow(row).token
            }
            return nil
        }
    }

    /// The namespace of the attempt `token` names, if that attempt is running and the secret is its own; nil
    /// otherwise.
    public func runningAttemptNamespace(_ token: LeaseToken) async throws(ProvenanceError) -> String? {
        try await perform { [self] connection in
            for try await name in try await connection.query(
                """
                SELECT n.name FROM attempts a JOIN tasks t ON t.id = a.task_id JOIN namespaces n ON n.id = t.namespace_id
                WHERE a.task_id = \(token.taskID.rawValue) AND a.number = \(Int32(clamping: token.attempt))
                    AND a.secret = \(token.secret) AND a.state = \(AttemptState.running.rawValue)
                """, logger: logger
            ).decode(String.self) { return name }
            return nil
        }
    }

    /// Whether any token was ever made by people (not the server for itself): from then on, every request needs a
    /// credential. Revoked tokens count, so revoking every token never switches authentication off.
    public func tokensRequired() async throws(ProvenanceError) -> Bool {
        try await perform { [self] connection in
            for try await exists in try await connection.query(
                "SELECT EXISTS (SELECT 1 FROM api_tokens WHERE NOT internal)", logger: logger
            ).decode(Bool.self) { return exists }
            return false
        }
    }

    /// Revokes the server's earlier internal tokens named `request.name` and makes a new one (the local executor's,
    /// at each start), all in one transaction.
    public func replaceInternalToken(_ request: TokenRequest) async throws(ProvenanceError) -> IssuedToken {
        let secret = TokenSecret.generate()
        let token: APIToken = try await transaction { [self] connection in
            try await connection.query(
                "UPDATE api_tokens SET revoke_time = now() WHERE internal AND name = \(request.name) AND revoke_time IS NULL",
                logger: logger)
            for try await row in try await connection.query(
                """
                INSERT INTO api_tokens (name, role, namespaces, digest, display_prefix, created_by, internal)
                VALUES (\(request.name), \(request.role.rawValue), \(request.namespaces.names)::text[],
                        \(ByteBuffer(bytes: secret.digest)), \(secret.displayPrefix), \(AuditActor.server.name), true)
                RETURNING \(unescaped: TokenRow.columns)
                """, logger: logger)
            {
                return try TokenRow(row).token
            }
            throw ProvenanceError(.internal, "token insert returned no row")
        }
        return IssuedToken(token: token, secret: secret)
    }
}

/// One row of the token SELECT lists (`columns`).
struct TokenRow {
    static let columns = """
        id, name, role, namespaces, display_prefix, created_by, \(PostgresStore.microseconds("create_time")),
        \(PostgresStore.microseconds("expire_time")), \(PostgresStore.microseconds("revoke_time")), internal
        """

    let token: APIToken

    init(_ row: PostgresRow) throws {
        let (id, name, role, namespaces, prefix, createdBy, created, expires, revoked, isInternal) = try row.decode(
            (Int64, String, String, [String]?, String, String, Int64, Int64?, Int64?, Bool).self)
        guard let role = Role(rawValue: role) else { throw ProvenanceError(.internal, "token \(id) has unknown role \(role)") }
        token = APIToken(
            id: id, name: name, role: role, namespaces: namespaces.map { .only(Set($0)) } ?? .all, displayPrefix: prefix,
            createdBy: createdBy, createTime: created, expireTime: expires, revokeTime: revoked, isInternal: isInternal)
    }
}
