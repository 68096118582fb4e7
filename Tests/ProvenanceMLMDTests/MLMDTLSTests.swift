import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ProvenanceCore
import ProvenanceTestSupport
import Testing

@testable import ProvenanceMLMD

/// MLMD's gRPC API over mutual TLS, the way the official client authenticates: a client certificate signed by the
/// configured CA, whose subject the grants file maps to a role in namespaces.
@Suite struct MLMDTLSTests {
    @Test func clientCertificatesAuthenticateByTheirGrantedSubject() async throws {
        let pki = try TestCertificates.make(clients: ["pipeline", "nobody"])
        let mutualTLS = try pki.mutualTLS(grants: "- {subject: CN=pipeline, role: writer, namespaces: [default]}\n")
        try await withTestServer(configure: mutualTLS) { server in
            func withClient(_ name: String?, _ body: (MLMDClient) async throws -> Void) async throws {
                let transport = try HTTP2ClientTransport.Posix(
                    target: .ipv4(address: "127.0.0.1", port: server.grpcPort),
                    transportSecurity: name.map { name in
                        .mTLS(
                            certificateChain: [.file(path: pki.client(name).certificate, format: .pem)],
                            privateKey: .file(path: pki.client(name).key, format: .pem)
                        ) { $0.trustRoots = .certificates([.file(path: pki.ca, format: .pem)]) }
                    } ?? .tls { $0.trustRoots = .certificates([.file(path: pki.ca, format: .pem)]) })
                try await withGRPCClient(transport: transport) { client in try await body(MLMDClient(wrapping: client)) }
            }
            try await withClient("pipeline") { client in
                let types = try await PipelineTypes.put(client)
                #expect(types.dataset > 0)
            }
            try await withClient("nobody") { client in
                let refused = await expectStatus(.unauthenticated) {
                    _ = try await client.getArtifacts(MlMetadata_GetArtifactsRequest())
                }
                #expect(refused.contains("the client certificate 'CN=nobody' is granted nothing"), "\(refused)")
            }
            // A certificate of another CA, and none at all, fail the handshake: the RPC never reaches the service.
            for name in ["stranger", nil] as [String?] {
                try await withClient(name) { client in
                    var options = CallOptions.defaults
                    options.timeout = .seconds(10)
                    await expectStatus(.unavailable) {
                        _ = try await client.getArtifacts(MlMetadata_GetArtifactsRequest(), options: options)
                    }
                }
            }
        }
    }
}
