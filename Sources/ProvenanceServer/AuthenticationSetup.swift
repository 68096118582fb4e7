import Foundation
import Logging
import ProvenanceAPI
import ProvenanceCore
import ProvenanceStore

/// What a server does about credentials as it starts: registers the admin token file's token (or makes one and
/// writes it there), refuses to serve an address other than loopback without authentication, says which mode it
/// runs in, and makes its local executor's token.
struct AuthenticationSetup: Sendable {
    let config: ServerConfiguration
    let logger: Logger

    /// The name of the token the server makes for its local executor at each start (the previous one revoked).
    static let localExecutorTokenName = "local-executor"

    /// Runs the steps above on the database at `endpoint`, before the server's own store runs; returns the local
    /// executor's token when `makeLocalExecutorToken`.
    func prepare(endpoint: DatabaseEndpoint, credentialsConfigured: Bool, makeLocalExecutorToken: Bool) async throws
        -> TokenSecret?
    {
        try await PostgresStore.withTemporaryStore(endpoint: endpoint, logger: logger) { store in
            try await prepare(store: store, credentialsConfigured: credentialsConfigured, makeLocalExecutorToken: makeLocalExecutorToken)
        }
    }

    /// The client certificate grants of the file at `path` (none without one), each mistake naming the file and
    /// the entry.
    static func certificateGrants(_ path: String?) throws -> CertificateGrants {
        guard let path else { return CertificateGrants() }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw ProvenanceError(.invalidArgument, "--client-certificates \(path) cannot be read")
        }
        do throws(ProvenanceError) {
            return try CertificateGrants(json: try SpecDocument.parse(Array(bytes), contentType: nil))
        } catch {
            throw ProvenanceError(.invalidArgument, "--client-certificates \(path): \(error.message)")
        }
    }

    private func prepare(store: PostgresStore, credentialsConfigured: Bool, makeLocalExecutorToken: Bool) async throws
        -> TokenSecret?
    {
        if let path = config.adminTokenFile { try await registerAdminTokenFile(path, store: store) }
        let required = try await store.tokensRequired() || credentialsConfigured
        let exposed = [config.httpHost, config.grpcHost].filter { !Self.isLoopback($0) }
        if !required {
            if !exposed.isEmpty && !config.insecureNoAuth {
                throw ProvenanceError(
                    .failedPrecondition,
                    "refusing to listen on \(exposed.joined(separator: " and ")) without authentication: no API token "
                        + "exists. Make one (provenance tokens create --admin, or --admin-token-file), listen on "
                        + "127.0.0.1, or pass --insecure-no-auth to serve everyone who can reach the port.")
            }
            if exposed.isEmpty {
                logger.notice(
                    "authentication is off until the first API token is made (provenance tokens create --admin); listening on loopback only")
            } else {
                logger.critical(
                    "INSECURE: --insecure-no-auth: anyone who reaches \(exposed.joined(separator: " and ")) can read and write every namespace and run commands on every executor")
            }
        } else {
            logger.info("authentication is on: every request needs a credential")
        }
        guard makeLocalExecutorToken else { return nil }
        let request = try TokenRequest(
            name: Self.localExecutorTokenName, role: .executor, namespaces: .all, isInternal: true)
        return try await store.replaceInternalToken(request).secret
    }

    /// Registers the token in `path`, or makes an admin token and writes it there (readable by its owner only).
    private func registerAdminTokenFile(_ path: String, store: PostgresStore) async throws {
        let request = try TokenRequest(name: "admin-token-file", role: .admin, namespaces: .all)
        if FileManager.default.fileExists(atPath: path) {
            let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let secret = try? TokenSecret(presented: text) else {
                throw ProvenanceError(
                    .invalidArgument, "--admin-token-file \(path) does not hold a Provenance API token (prov_ and 43 characters)")
            }
            // Registered at an earlier start when its digest is known already.
            if try await store.token(digest: secret.digest) == nil {
                _ = try await store.createToken(request, secret: secret, actor: .server)
                logger.notice("registered the admin token of the admin token file", metadata: ["path": "\(path)"])
            }
            return
        }
        let issued = try await store.createToken(request, actor: .server)
        let created = FileManager.default.createFile(
            atPath: path, contents: Data((issued.secret.text + "\n").utf8), attributes: [.posixPermissions: 0o600])
        guard created else {
            throw ProvenanceError(.failedPrecondition, "cannot write the admin token file \(path)")
        }
        logger.notice("made an admin token and wrote it to the admin token file", metadata: ["path": "\(path)"])
    }

    /// Whether `host` is a loopback address (reachable from this machine only).
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
