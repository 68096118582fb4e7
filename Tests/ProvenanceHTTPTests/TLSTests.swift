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

    @Test func restTakesClientCertificatesAsCredentials() async throws {
        let pki = try TestCertificates.make(clients: ["dashboard", "nobody"])
        let mutualTLS = try pki.mutualTLS(grants: "- {subject: CN=dashboard, role: reader, namespaces: [default]}\n")
        try await withTestServer(configure: mutualTLS) { server in
            /// curl's answer (status, body) to GET `path` with client certificate `name`, if any.
            func get(_ path: String, as name: String?) async throws -> (status: Int, body: String) {
                var arguments = ["-s", "--max-time", "20", "--cacert", pki.ca, "-w", "\n%{http_code}"]
                if let name { arguments += ["--cert", pki.client(name).certificate, "--key", pki.client(name).key] }
                let output = try await awaitProgram("curl", arguments + ["https://127.0.0.1:\(server.port)\(path)"])
                let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
                return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
            }
            let me = try await get("/api/v1/whoami", as: "dashboard")
            #expect(me.status == 200)
            #expect(me.body.contains(#""name":"CN=dashboard""#) && me.body.contains(#""source":"certificate""#), "\(me.body)")
            #expect(try await get("/api/v1/namespaces/default/artifacts", as: "dashboard").status == 200)
            #expect(try await get("/api/v1/namespaces/other/artifacts", as: "dashboard").status == 403)
            let nobody = try await get("/api/v1/namespaces/default/artifacts", as: "nobody")
            #expect(nobody.status == 401)
            #expect(nobody.body.contains("'CN=nobody' is granted nothing"), "\(nobody.body)")
            // Client certificates are optional on REST: without one, a token is needed as ever.
            let anonymous = try await get("/api/v1/namespaces/default/artifacts", as: nil)
            #expect(anonymous.status == 401)
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
