import Foundation
import JWTKit
import Logging
import ProvenanceCore
import ServiceLifecycle
import Synchronization

/// Checks OIDC JWTs (`--oidc-issuer`): the signature against the issuer's published keys (JWKS), then the claims
/// (issuer, audience, expiry), then what `ClaimGrants` makes of them. Every refusal says which check failed.
///
/// The keys are loaded at start and refreshed every `refreshInterval` while the server runs (a refresh that fails
/// keeps the keys it has). A JWT naming a key the set lacks triggers one refresh (at most one per
/// `minimumRefreshGap`, so tokens with made-up key ids cannot make the server hammer the issuer): that is how a
/// rotated key is picked up, and a key the issuer stopped publishing stops working at the next refresh.
final class OIDCVerifier: JWTVerifying, Service {
    /// The algorithms accepted: the issuer's public keys only. HMAC (`HS256`...) is refused, since its key would
    /// be the issuer's public key used as a shared secret; `none` is refused, being no signature.
    static let acceptedAlgorithms: Set<String> = [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
    ]
    /// How far clocks may disagree when `exp` and `nbf` are checked.
    static let clockLeeway: Double = 30
    /// The least time between two refreshes caused by unknown key ids (scheduled ones do not count).
    static let minimumRefreshGap: Duration = .seconds(30)

    let settings: OIDCSettings
    let logger: Logger
    private let keySource: JWKSSource
    private let state = Mutex<State>(State())

    private struct State {
        var keys: LoadedKeys?
        /// When a JWT with a key id the set lacked last made the keys be fetched.
        var lastUnknownKeyRefresh: ContinuousClock.Instant?
        var refreshing: Task<Void, Never>?
    }

    /// One loaded key set: the collection jwt-kit verifies with, and its key ids.
    private struct LoadedKeys {
        let collection: JWTKeyCollection
        let keyIDs: Set<String>
    }

    init(settings: OIDCSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        self.keySource = JWKSSource(settings: settings)
    }

    /// Loads the keys before the server serves. A key file that cannot be read or parsed stops the start; an
    /// issuer that cannot be reached is logged and tried again at each refresh (API tokens work meanwhile).
    func loadKeys() async throws {
        do {
            try await refresh()
        } catch {
            guard keySource.isRemote else { throw error }
            logger.error(
                "the OIDC issuer's keys cannot be fetched; JWTs are refused until they can",
                metadata: ["error": "\(error)"])
        }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: self.settings.refreshInterval)
                guard !Task.isCancelled else { return }
                do {
                    try await self.refresh()
                } catch {
                    self.logger.warning("refreshing the OIDC issuer's keys failed; keeping the keys held", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    func principal(verifying token: String) async throws(ProvenanceError) -> Principal {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Self.object(base64URL: parts[0]) else {
            throw Self.refusal("is malformed: its header is not base64url-encoded JSON")
        }
        let algorithm = header.first { $0.key == "alg" }.flatMap { if case .string(let text) = $0.value { text } else { nil } }
        guard let algorithm else { throw Self.refusal("names no algorithm (alg)") }
        guard algorithm.lowercased() != "none" else { throw Self.refusal("is unsigned (alg: none)") }
        guard Self.acceptedAlgorithms.contains(algorithm) else {
            throw Self.refusal(
                "is signed with \(algorithm); only the issuer's public keys are accepted (RS*, PS*, ES*, EdDSA)")
        }
        guard case .string(let keyID)? = header.first(where: { $0.key == "kid" })?.value else {
            throw Self.refusal("names no key (kid)")
        }
        let keys = try await keys(holding: keyID)
        do {
            _ = try await keys.collection.verify(token, as: SignatureOnly.self)
        } catch {
            // Anything else wrong with the signature (a truncated one, for one) is the key's refusal too.
            guard (error as? JWTError)?.errorType == .malformedToken else {
                throw Self.refusal("has a signature that does not verify with the issuer's key '\(keyID)'")
            }
            throw Self.refusal("is malformed: \((error as? JWTError)?.reason ?? "\(error)")")
        }
        guard let claims = Self.object(base64URL: parts[1]) else {
            throw Self.refusal("is malformed: its payload is not base64url-encoded JSON")
        }
        return try principal(claims: claims)
    }

    /// The principal of verified `claims`, once they are checked against the configuration.
    func principal(claims: [(key: String, value: JSON)]) throws(ProvenanceError) -> Principal {
        func claim(_ name: String) -> JSON? { claims.first { $0.key == name }?.value }
        guard case .string(let issuer)? = claim("iss"), issuer == settings.issuer else {
            throw Self.refusal("was issued by \(claim("iss").map { "\($0)" } ?? "nobody (no iss)"), not \(settings.issuer)")
        }
        let audiences: [String] =
            switch claim("aud") {
            case .string(let audience)?: [audience]
            case .array(let list)?: list.compactMap { if case .string(let text) = $0 { text } else { nil } }
            default: []
            }
        guard audiences.contains(settings.audience) else {
            throw Self.refusal("is for audience \(audiences), not '\(settings.audience)'")
        }
        let now = Date().timeIntervalSince1970
        guard let expires = claim("exp").flatMap(Self.seconds) else { throw Self.refusal("has no expiry (exp)") }
        guard expires + Self.clockLeeway > now else {
            throw Self.refusal("expired at \(Self.timestamp(expires))")
        }
        if let notBefore = claim("nbf").flatMap(Self.seconds), notBefore - Self.clockLeeway > now {
            throw Self.refusal("is not valid before \(Self.timestamp(notBefore))")
        }
        guard case .string(let name)? = claim(settings.nameClaim), !name.isEmpty else {
            throw Self.refusal("has no '\(settings.nameClaim)' claim to name its holder")
        }
        guard let principal = settings.grants.principal(name: name, claims: claims) else {
            throw ProvenanceError(
                .unauthenticated, "the JWT of '\(name)' is granted nothing: no rule of --oidc-grants matches its claims")
        }
        return principal
    }

    /// The keys, refreshed first (once, for everyone waiting) when they lack `keyID`.
    private func keys(holding keyID: String) async throws(ProvenanceError) -> LoadedKeys {
        if let keys = state.withLock({ $0.keys }), keys.keyIDs.contains(keyID) { return keys }
        let refreshing: Task<Void, Never>? = state.withLock { state in
            if let running = state.refreshing { return running }
            if let last = state.lastUnknownKeyRefresh, last.duration(to: .now) < Self.minimumRefreshGap { return nil }
            state.lastUnknownKeyRefresh = .now
            let task = Task {
                do { try await self.refresh() } catch {
                    self.logger.warning("refreshing the OIDC issuer's keys failed", metadata: ["error": "\(error)"])
                }
            }
            state.refreshing = task
            return task
        }
        await refreshing?.value
        guard let keys = state.withLock({ $0.keys }) else {
            throw ProvenanceError(.unauthenticated, "the OIDC issuer's keys could not be fetched; JWTs cannot be checked now")
        }
        guard keys.keyIDs.contains(keyID) else {
            throw Self.refusal("is signed with key '\(keyID)', which the issuer does not publish (rotated out, or not the issuer's)")
        }
        return keys
    }

    /// Fetches the key set and puts it in place of the one held.
    private func refresh() async throws {
        defer { state.withLock { $0.refreshing = nil } }
        let jwks = try await keySource.fetch()
        let collection = JWTKeyCollection()
        do {
            try await collection.add(jwks: jwks)
        } catch {
            throw ProvenanceError(.invalidArgument, "the OIDC key set (\(keySource.location)) holds a key that cannot be used: \(error)")
        }
        let keyIDs = Set(jwks.keys.compactMap { $0.keyIdentifier?.string })
        state.withLock { $0.keys = LoadedKeys(collection: collection, keyIDs: keyIDs) }
        logger.debug("OIDC keys loaded", metadata: ["keys": "\(keyIDs.sorted())"])
    }

    /// What jwt-kit decodes of a payload while it checks the signature: nothing (the claims are read and checked
    /// here, against the configuration, with messages that name the claim).
    private struct SignatureOnly: JWTPayload {
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    private static func refusal(_ what: String) -> ProvenanceError {
        ProvenanceError(.unauthenticated, "the JWT \(what)")
    }

    /// The JSON object a base64url segment encodes, or nil.
    static func object(base64URL segment: Substring) -> [(key: String, value: JSON)]? {
        let text = segment.replacing("-", with: "+").replacing("_", with: "/")
        guard let bytes = Base64.decode(String(text)), case .object(let members)? = try? JSONParser.parse(bytes) else {
            return nil
        }
        return members
    }

    private static func seconds(_ value: JSON) -> Double? {
        switch value {
        case .int(let seconds): Double(seconds)
        case .double(let seconds) where seconds.isFinite: seconds
        default: nil
        }
    }

    private static func timestamp(_ seconds: Double) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))
    }
}
