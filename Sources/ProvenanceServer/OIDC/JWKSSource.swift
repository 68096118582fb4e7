import AsyncHTTPClient
import Foundation
import JWTKit
import NIOCore
import ProvenanceCore

/// Where an OIDC issuer's keys come from: a file (`--oidc-jwks /path`), a URL (`--oidc-jwks https://...`), or the
/// `jwks_uri` of the issuer's discovery document (`ISSUER/.well-known/openid-configuration`) when neither is
/// given. Keys travel over HTTPS only; plain HTTP only to a loopback address (a test's issuer).
struct JWKSSource: Sendable {
    /// The most read of a key set or discovery document.
    static let maximumBytes = 1 << 20
    /// How long one fetch may take.
    static let timeout: TimeAmount = .seconds(10)

    let issuer: String
    let configured: String?

    init(settings: OIDCSettings) {
        issuer = settings.issuer
        configured = settings.jwks
    }

    /// Whether the keys come over the network (a failure then may pass; a file's never does).
    var isRemote: Bool { configured.map(Self.isURL) ?? true }

    /// Where the keys are read from, for messages.
    var location: String { configured ?? Self.discoveryURL(issuer) }

    /// The key set, read now; errors name where from and what is wrong.
    func fetch() async throws -> JWKS {
        let bytes: [UInt8]
        if let configured, !Self.isURL(configured) {
            guard let data = FileManager.default.contents(atPath: configured) else {
                throw ProvenanceError(.invalidArgument, "--oidc-jwks \(configured) cannot be read")
            }
            bytes = Array(data)
        } else {
            let url: String
            if let configured {
                url = configured
            } else {
                let discovery = try await Self.get(Self.discoveryURL(issuer))
                guard case .object(let members)? = try? JSONParser.parse(discovery),
                    case .string(let keysURL)? = members.first(where: { $0.key == "jwks_uri" })?.value
                else {
                    throw ProvenanceError(.unavailable, "\(Self.discoveryURL(issuer)) names no jwks_uri")
                }
                url = keysURL
            }
            bytes = try await Self.get(url)
        }
        do {
            return try JSONDecoder().decode(JWKS.self, from: Data(bytes))
        } catch {
            throw ProvenanceError(.invalidArgument, "\(location) is not a JSON Web Key Set ({\"keys\": [...]}): \(error)")
        }
    }

    static func discoveryURL(_ issuer: String) -> String {
        (issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer) + "/.well-known/openid-configuration"
    }

    private static func isURL(_ text: String) -> Bool {
        text.hasPrefix("https://") || text.hasPrefix("http://")
    }

    /// The body of a GET of `url`, which must be HTTPS (or HTTP to loopback) and answer 200.
    private static func get(_ url: String) async throws -> [UInt8] {
        guard let parsed = URL(string: url), let host = parsed.host,
            parsed.scheme == "https" || (parsed.scheme == "http" && AuthenticationSetup.isLoopback(host))
        else {
            throw ProvenanceError(.invalidArgument, "\(url): OIDC keys are fetched over https:// only (http:// to loopback)")
        }
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: timeout)
        guard response.status == .ok else {
            throw ProvenanceError(.unavailable, "\(url) answered \(response.status.code)")
        }
        return Array(buffer: try await response.body.collect(upTo: maximumBytes))
    }
}
