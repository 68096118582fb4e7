import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import ProvenanceCore
import ProvenanceStore
import ProvenanceTestSupport
import Testing

@testable import ProvenanceMLMD

/// MLMD's gRPC API under the same rules as REST: every RPC has a role, and once tokens exist every RPC needs one
/// (`authorization: Bearer`), checked in the RPC's namespace.
@Suite struct MLMDAuthTests {
    @Test func everyRPCServedHasARoleAndEveryRoleAnRPC() throws {
        let store = try offlineStore()
        let service = MetadataStoreService(
            store: store, defaultNamespace: "default", maximumMessageBytes: 1024, draining: DrainingFlag())
        var router = RPCRouter<HTTP2ServerTransport.Posix>()
        service.registerMethods(with: &router)
        let served = Set(router.methods.map(\.method))
        let listed = Set(AccessPolicy.mlmd.keys)
        #expect(served.subtracting(listed).sorted() == [], "served without a role in AccessPolicy.mlmd")
        #expect(listed.subtracting(served).sorted() == [], "given a role in AccessPolicy.mlmd but not served")
        #expect(served.count == 52)
    }

    @Test func onceTokensExistEveryRPCNeedsOneWithItsRoleInTheNamespace() async throws {
        try await withTestServer { server in
            let admin = try await makeToken(server, role: "admin", namespaces: ["*"], by: nil)
            let reader = try await makeToken(server, role: "reader", namespaces: ["default"], by: admin)
            #expect(try await server.with(token: admin).request(.POST, "/api/v1/namespaces", json: ["name": "other"]).status == 201)
            let other = try await makeToken(server, role: "writer", namespaces: ["other"], by: admin)
            try await withMLMDClient(server) { client in
                let missing = await expectStatus(.unauthenticated) {
                    _ = try await client.getArtifacts(MlMetadata_GetArtifactsRequest())
                }
                #expect(missing.contains("authentication required"))
                let unknown = await expectStatus(.unauthenticated) {
                    _ = try await client.getArtifacts(
                        MlMetadata_GetArtifactsRequest(), metadata: bearer("prov_" + String(repeating: "B", count: 43)))
                }
                #expect(unknown.contains("not known"))
                _ = try await client.getArtifacts(MlMetadata_GetArtifactsRequest(), metadata: bearer(reader))
                let denied = await expectStatus(.permissionDenied) {
                    _ = try await PipelineTypes.put(client, metadata: bearer(reader))
                }
                #expect(denied.contains("this needs writer"))
                // A token of one namespace works in it without the namespace header (MLMD's clients cannot send
                // one), and nowhere else.
                let types = try await PipelineTypes.put(client, metadata: bearer(other))
                #expect(types.dataset > 0)
                let typesThere = try await client.getArtifactTypes(
                    MlMetadata_GetArtifactTypesRequest(), metadata: bearer(other, namespace: "other"))
                #expect(typesThere.artifactTypes.map(\.name).sorted() == ["Dataset", "Model"])
                let elsewhere = await expectStatus(.permissionDenied) {
                    _ = try await client.getArtifactTypes(
                        MlMetadata_GetArtifactTypesRequest(), metadata: bearer(other, namespace: "default"))
                }
                #expect(elsewhere.contains("holds no role in namespace 'default'"))
                let defaultTypes = try await client.getArtifactTypes(MlMetadata_GetArtifactTypesRequest(), metadata: bearer(reader))
                #expect(defaultTypes.artifactTypes.isEmpty)
            }
            // Every RPC is counted by method and status, refused ones too.
            let metrics = try await server.with(token: admin).request(.GET, "/metrics").text
            #expect(metrics.contains(#"provenance_grpc_requests_total{method="GetArtifacts",code="ok"}"#), "\(metrics)")
            #expect(metrics.contains(#"provenance_grpc_requests_total{method="GetArtifacts",code="unauthenticated"}"#))
            #expect(metrics.contains(#"provenance_grpc_request_duration_seconds_bucket{method="PutTypes",le="#))
        }
    }

    private func bearer(_ token: String, namespace: String? = nil) -> Metadata {
        var metadata: Metadata = ["authorization": .string("Bearer \(token)")]
        if let namespace { metadata.addString(namespace, forKey: MetadataStoreService.namespaceHeader) }
        return metadata
    }

    private func makeToken(_ server: TestServer, role: String, namespaces: [String], by admin: String?) async throws -> String {
        let reply = try await server.with(token: admin).request(.POST, "/api/v1/tokens", json: [
            "name": .string("\(role)-\(namespaces.joined())"), "role": .string(role),
            "namespaces": .array(namespaces.map(JSON.string)),
        ])
        return try #require(reply.json.string("token"), "\(reply.text)")
    }
}
