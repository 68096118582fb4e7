import Foundation
import ProvenanceAPI
import ProvenanceCore

/// The OIDC part of the configuration, checked for sense: an issuer needs an audience and a grants file.
struct OIDCSettings: Sendable {
    /// The issuer, as its JWTs' `iss` names it (also where its discovery document is, without `--oidc-jwks`).
    var issuer: String
    /// The audience the JWTs must name (this server's client id at the issuer).
    var audience: String
    /// The key set: a file, an `https://` URL, or nil to find it through the issuer's discovery document.
    var jwks: String?
    /// What the claims grant.
    var grants: ClaimGrants
    /// The claim that names a JWT's holder in logs and the audit log.
    var nameClaim: String
    /// How often a fetched key set is fetched again.
    var refreshInterval: Duration

    /// The settings of `config`, or nil when it names no issuer; mistakes name their flag.
    init?(_ config: ServerConfiguration) throws(ProvenanceError) {
        guard let issuer = config.oidcIssuer else {
            for (value, flag) in [
                (config.oidcAudience, "--oidc-audience"), (config.oidcJWKS, "--oidc-jwks"),
                (config.oidcGrants, "--oidc-grants"),
            ] where value != nil {
                throw .invalid(flag, "needs --oidc-issuer")
            }
            return nil
        }
        guard URL(string: issuer)?.host != nil else { throw .invalid("--oidc-issuer", "expected a URL, got '\(issuer)'") }
        guard let audience = config.oidcAudience, !audience.isEmpty else {
            throw .invalid("--oidc-audience", "is required with --oidc-issuer: the audience its JWTs must name")
        }
        guard let grantsFile = config.oidcGrants else {
            throw .invalid("--oidc-grants", "is required with --oidc-issuer: what the JWTs' claims grant")
        }
        guard let bytes = FileManager.default.contents(atPath: grantsFile) else {
            throw .invalid("--oidc-grants", "\(grantsFile) cannot be read")
        }
        do throws(ProvenanceError) {
            grants = try ClaimGrants(json: try SpecDocument.parse(Array(bytes), contentType: nil))
        } catch {
            throw .invalid("--oidc-grants", "\(grantsFile): \(error.message)")
        }
        self.issuer = issuer
        self.audience = audience
        self.jwks = config.oidcJWKS
        self.nameClaim = config.oidcNameClaim
        self.refreshInterval = config.oidcRefreshInterval
    }
}
