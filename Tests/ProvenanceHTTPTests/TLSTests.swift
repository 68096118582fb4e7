import Foundation
import ProvenanceClient
import ProvenanceCore
import ProvenanceServer
import ProvenanceTestSupport
import Testing

/// REST over TLS: clients verify the server against a CA file, and a client that does not trust the server's CA,
/// or speaks plain HTTP to it, is refused at once with an error that says so.
@Suite struct TLSTests {
    @Test func restServesTLSThatClientsVerifyAgainstTheirCA() async throws {
        let pki = try TestCertificates.make(clients: [])
        try await withTestServer(configure: { config in
            config.tlsCertificate = pki.serverChain
            config.tlsKey = pki.serverKey
        }) { server in
            let trusting = ProvenanceClient(baseURL: "https://127.0.0.1:\(server.port)", caFile: pki.ca)
            let me = try await trusting.get("/api/v1/whoami")
            #expect(me["source"] == "open")
            try await trusting.shutdown()
            // A client of another CA refuses the server's certificate.
            let doubting = ProvenanceClient(baseURL: "https://127.0.0.1:\(server.port)", caFile: pki.directory + "/other-ca.pem")
            do throws(ProvenanceError) {
                _ = try await doubting.get("/api/v1/whoami")
                Issue.record("a client that does not trust the server's CA got an answer")
            } catch {
                #expect(error.code == .unavailable)
                #expect(error.message.lowercased().contains("certificate"), "\(error.message)")
            }
            try await doubting.shutdown()
            // Plain HTTP to the TLS port gets no answer.
            let plain = try? await server.request(.GET, "/healthz")
            #expect(plain == nil || plain?.status != 200)
        }
    }

    @Test func mismatchedTLSSettingsAreRefusedAtStart() async throws {
        for (configure, flag) in [
            ({ (config: inout ServerConfiguration) in config.tlsCertificate = "/x.pem" }, "--tls-cert"),
            ({ (config: inout ServerConfiguration) in config.tlsKey = "/x.key" }, "--tls-key"),
            ({ (config: inout ServerConfiguration) in config.clientCertificates = "/grants.yaml" }, "--client-certificates"),
        ] {
            var config = ServerConfiguration(httpPort: 0, grpcPort: 0, logLevel: .critical)
            config.databaseURL = try await TestCluster.shared.freshDatabase().url
            configure(&config)
            await #expect { _ = try await buildServer(config: config, handleSignals: false) } throws: { error in
                (error as? ProvenanceError)?.message.hasPrefix(flag) ?? false
            }
        }
    }
}
