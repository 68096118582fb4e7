import Foundation
import ProvenanceCore
import Synchronization

/// Checks credentials and decides whether a caller may make a request: the one place the REST middleware and the
/// gRPC interceptor ask.
///
/// Token lookups are cached for `cacheLifetime` (unknown tokens too, so a client sending garbage cannot make every
/// request a database read); a token revoked on any replica is therefore refused everywhere within that time, and
/// at once on the replica that revoked it.
///
/// Authentication switches on, for every replica, once anybody has made a token (and stays on: tokens are revoked,
/// never deleted), or when the server is configured with another credential source. Until then every caller acts
/// as `Principal.open`, which the server allows only on loopback unless told `--insecure-no-auth`.
public final class Authorizer: Sendable {
    /// How long a token lookup (and the "are tokens required" answer) is trusted: the bound on how long a revoked
    /// token keeps working on a replica that did not revoke it.
    public static let cacheLifetime: Duration = .seconds(2)
    /// Cached lookups kept at most; past it the cache starts over.
    static let cacheCapacity = 10_000

    let store: PostgresStore
    /// Whether credentials are required whatever the database says (a credential source other than tokens is
    /// configured).
    let alwaysRequired: Bool
    /// What client certificates may do, by subject.
    let certificates: CertificateGrants
    /// Checks JWTs (OIDC), when an issuer is configured.
    let jwt: (any JWTVerifying)?
    private let cache = Mutex<Cache>(Cache())

    private struct Cache {
        var tokens: [[UInt8]: (token: APIToken?, fetched: ContinuousClock.Instant)] = [:]
        var required: (value: Bool, fetched: ContinuousClock.Instant)?
    }

    /// The longest bearer token read; longer ones are refused unread (an IdP's JWTs are 1 to 4 KiB).
    public static let maximumBearerBytes = 16 * 1024

    /// Creates an authorizer over `store`'s tokens, the client certificates granted in `certificates` and the JWTs
    /// `jwt` checks (either makes credentials required).
    public init(
        store: PostgresStore, certificates: CertificateGrants = CertificateGrants(), jwt: (any JWTVerifying)? = nil
    ) {
        self.store = store
        self.alwaysRequired = !certificates.isEmpty || jwt != nil
        self.certificates = certificates
        self.jwt = jwt
    }

    /// The principal a request with `authorization` (the `Authorization` header's value, if any) acts as, or
    /// `unauthenticated` with a message saying what is wrong with the credential. A bearer token wins over a
    /// client certificate (`certificateSubject`, from a verified TLS handshake).
    public func authenticate(authorization: String?, certificateSubject: String? = nil) async throws(ProvenanceError)
        -> Principal
    {
        guard let authorization, !authorization.isEmpty else {
            if let certificateSubject {
                guard let principal = certificates.principals[certificateSubject] else {
                    throw ProvenanceError(
                        .unauthenticated,
                        "the client certificate '\(certificateSubject)' is granted nothing (--client-certificates)")
                }
                return principal
            }
            guard try await credentialsRequired() else { return .open }
            throw ProvenanceError(
                .unauthenticated, "authentication required: send an API token as 'Authorization: Bearer prov_...'")
        }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw ProvenanceError(.unauthenticated, "the Authorization header must be 'Bearer <token>'")
        }
        let presented = parts[1].trimmingCharacters(in: .whitespaces)
        guard presented.utf8.count <= Self.maximumBearerBytes else {
            throw ProvenanceError(
                .unauthenticated,
                "the bearer token is \(presented.utf8.count) bytes, more than the \(Self.maximumBearerBytes) read")
        }
        guard let secret = try TokenSecret(presented: presented) else {
            if let lease = try? LeaseToken(parsing: presented) { return try await stepPrincipal(lease) }
            if presented.split(separator: ".", omittingEmptySubsequences: false).count == 3 {
                guard let jwt else {
                    throw ProvenanceError(
                        .unauthenticated, "the bearer token is a JWT, and this server checks none (no --oidc-issuer)")
                }
                return try await jwt.principal(verifying: presented)
            }
            throw ProvenanceError(
                .unauthenticated, "the bearer token is not a Provenance API token (they begin with prov_)")
        }
        guard let token = try await lookUp(secret.digest) else {
            throw ProvenanceError(.unauthenticated, "the API token is not known to this server")
        }
        if token.revokeTime != nil {
            throw ProvenanceError(.unauthenticated, "the API token '\(token.name)' was revoked")
        }
        if let expires = token.expireTime, expires <= Self.nowMicroseconds() {
            throw ProvenanceError(
                .unauthenticated, "the API token '\(token.name)' expired at \(Self.timestamp(microseconds: expires))")
        }
        return token.principal
    }

    /// The principal of a step presenting its attempt's fencing token: a writer in its run's namespace while the
    /// attempt runs. Not cached: the credential ends the moment its attempt does.
    private func stepPrincipal(_ lease: LeaseToken) async throws(ProvenanceError) -> Principal {
        guard let namespace = try await store.runningAttemptNamespace(lease) else {
            throw ProvenanceError(
                .unauthenticated, "the lease token is not that of a running attempt (a step's credential ends with its attempt)")
        }
        return Principal(
            name: "task \(lease.taskID.rawValue) attempt \(lease.attempt)", source: .lease, role: .writer,
            namespaces: .only([namespace]))
    }

    /// Whether `principal` may make a request that needs `access`, in `namespace` where the request names one;
    /// `permissionDenied` saying what is missing if not.
    public func authorize(_ principal: Principal, _ access: Access, namespace: String?) throws(ProvenanceError) {
        switch access {
        case .open, .authenticated, .metrics, .leaseHolder:
            return
        case .namespace(let role):
            guard let namespace else { throw ProvenanceError(.internal, "a namespaced route without its namespace") }
            guard !principal.holds(role, in: namespace) else { return }
            guard principal.namespaces.contains(namespace) else {
                throw ProvenanceError(
                    .permissionDenied, "'\(principal.name)' holds no role in namespace '\(namespace)'")
            }
            throw ProvenanceError(
                .permissionDenied,
                "'\(principal.name)' is \(principal.highestRole.rawValue) in namespace '\(namespace)'; this needs \(role.rawValue)")
        case .someNamespace(let role):
            guard !principal.roles.contains(role) else { return }
            throw ProvenanceError(
                .permissionDenied, "'\(principal.name)' is \(principal.highestRole.rawValue); this needs \(role.rawValue)")
        }
    }

    /// Records that a token was just made here: from now on this replica needs credentials (others see it within
    /// `cacheLifetime`).
    public func tokenMade() {
        cache.withLock { $0.required = (true, .now) }
    }

    /// Forgets what is cached of token `tokenID` at once (it was revoked here).
    public func forget(tokenID: Int64) {
        cache.withLock { cache in cache.tokens = cache.tokens.filter { $0.value.token?.id != tokenID } }
    }

    /// Whether requests need a credential now.
    public func credentialsRequired() async throws(ProvenanceError) -> Bool {
        if alwaysRequired { return true }
        let now = ContinuousClock.now
        if let known = cache.withLock({ $0.required }), known.value || known.fetched.duration(to: now) < Self.cacheLifetime {
            return known.value
        }
        let required = try await store.tokensRequired()
        cache.withLock { $0.required = (required, now) }
        return required
    }

    private func lookUp(_ digest: [UInt8]) async throws(ProvenanceError) -> APIToken? {
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0.tokens[digest] }), cached.fetched.duration(to: now) < Self.cacheLifetime {
            return cached.token
        }
        let token = try await store.token(digest: digest)
        cache.withLock { cache in
            if cache.tokens.count >= Self.cacheCapacity { cache.tokens.removeAll(keepingCapacity: true) }
            cache.tokens[digest] = (token, now)
        }
        return token
    }

    static func nowMicroseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    static func timestamp(microseconds: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(microseconds) / 1_000_000))
    }
}
