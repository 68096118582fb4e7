/// Checks bearer tokens that are JWTs (an OIDC issuer's), for the `Authorizer`, which checks API tokens itself.
/// Implemented where the JWT library lives (the server's composition), so the store and the adapters need none.
public protocol JWTVerifying: Sendable {
    /// The principal of the JWT `token`, or `unauthenticated` saying what is wrong with it (malformed, unsigned,
    /// signed by a key the issuer does not publish, a bad signature, expired, another issuer or audience, or
    /// granted nothing).
    func principal(verifying token: String) async throws(ProvenanceError) -> Principal
}
