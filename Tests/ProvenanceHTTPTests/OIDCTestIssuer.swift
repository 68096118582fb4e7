import Foundation
import Hummingbird
import JWTKit
import Logging
import ProvenanceTestSupport
import Synchronization

/// An OIDC issuer for tests: ES256 keys it makes, the JWTs it signs with them, and (with `serve`) its discovery
/// document and key set over HTTP on loopback, with keys that can be rotated while it serves.
final class OIDCTestIssuer: Sendable {
    /// The claims of the JWTs it signs (those a test leaves nil are left out).
    struct Claims: JWTPayload {
        var iss: String
        var aud: String?
        var sub: String?
        var exp: Int?
        var nbf: Int?
        var groups: [String]?
        var teams: [String]?

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    private let keys = Mutex<[String: ES256PrivateKey]>([:])
    /// The key ids the key set publishes now.
    private let published = Mutex<[String]>([])
    /// The issuer URL (`iss`): the served address, or a fixed one for a file key set.
    let issuer: String

    init(issuer: String = "https://issuer.test", keyIDs: [String] = ["k1"]) {
        self.issuer = issuer
        for keyID in keyIDs { addKey(keyID) }
    }

    /// Makes key `keyID` and publishes it.
    func addKey(_ keyID: String) {
        keys.withLock { $0[keyID] = ES256PrivateKey() }
        published.withLock { $0.append(keyID) }
    }

    /// Publishes only `keyIDs` from now on (the others still sign, as a leaked or retired key would).
    func publish(only keyIDs: [String]) {
        published.withLock { $0 = keyIDs }
    }

    /// The key set (JWKS) as JSON text.
    var jwks: String {
        let entries = published.withLock { $0 }.compactMap { keyID -> String? in
            guard let parameters = keys.withLock({ $0[keyID] })?.parameters else { return nil }
            return #"{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"\#(keyID)","x":"\#(parameters.x)","y":"\#(parameters.y)"}"#
        }
        return #"{"keys":[\#(entries.joined(separator: ","))]}"#
    }

    /// Claims that pass with `audience` and expire in an hour, held by `subject` in `groups`.
    func claims(subject: String = "alice@example.com", audience: String = "provenance", groups: [String] = [])
        -> Claims
    {
        Claims(
            iss: issuer, aud: audience, sub: subject, exp: Int(Date().timeIntervalSince1970) + 3600, nbf: nil,
            groups: groups, teams: nil)
    }

    /// `claims` signed with key `keyID` (named `kidHeader` in the header, when given).
    func sign(_ claims: Claims, keyID: String = "k1", kidHeader: String? = nil) async throws -> String {
        guard let key = keys.withLock({ $0[keyID] }) else { throw CocoaError(.keyValueValidation) }
        let kid = JWKIdentifier(string: kidHeader ?? keyID)
        let collection = JWTKeyCollection()
        await collection.add(ecdsa: key, kid: kid)
        return try await collection.sign(claims, kid: kid)
    }

    /// `claims` signed with HMAC-SHA256 and `secret` (the key confusion attack uses the public key as the secret).
    static func signHS256(_ claims: Claims, secret: String, keyID: String = "k1") async throws -> String {
        let kid = JWKIdentifier(string: keyID)
        let collection = JWTKeyCollection()
        await collection.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: kid)
        return try await collection.sign(claims, kid: kid)
    }

    /// An unsigned JWT (`alg: none`) of `claims`.
    static func unsigned(_ claims: Claims, keyID: String = "k1") throws -> String {
        func encode(_ bytes: Data) -> String {
            bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let header = encode(Data(#"{"alg":"none","typ":"JWT","kid":"\#(keyID)"}"#.utf8))
        return header + "." + encode(try JSONEncoder().encode(claims)) + "."
    }

    /// Serves the discovery document and the key set at `http://127.0.0.1:PORT` while `body` runs; `body` gets the
    /// issuer URL (the one the JWTs of `served` name).
    static func serving(keyIDs: [String] = ["k1"], _ body: (OIDCTestIssuer) async throws -> Void) async throws {
        let port = PortBox()
        let router = Router()
        let issuerBox = Mutex<OIDCTestIssuer?>(nil)
        router.get("/.well-known/openid-configuration") { _, _ in
            let issuer = issuerBox.withLock { $0 }!.issuer
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: .init(string: #"{"issuer":"\#(issuer)","jwks_uri":"\#(issuer)/keys"}"#)))
        }
        router.get("/keys") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: .init(string: issuerBox.withLock { $0 }!.jwks)))
        }
        var quiet = Logger(label: "oidc-test-issuer")
        quiet.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) }, logger: quiet)
        try await withGracefulService(app, logger: quiet) {
            let bound = try await port.wait()
            let issuer = OIDCTestIssuer(issuer: "http://127.0.0.1:\(bound)", keyIDs: keyIDs)
            issuerBox.withLock { $0 = issuer }
            try await body(issuer)
        }
    }

    /// The port the served issuer bound.
    private final class PortBox: Sendable {
        private let port = Mutex<Int?>(nil)

        func set(_ value: Int) { port.withLock { $0 = value } }

        func wait() async throws -> Int {
            for _ in 0..<500 {
                if let port = port.withLock({ $0 }) { return port }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw CocoaError(.fileReadUnknown)
        }
    }
}
