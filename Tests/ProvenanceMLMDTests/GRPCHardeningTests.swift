import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ProvenanceServer
import ProvenanceCore
import ProvenanceTestSupport
import SwiftProtobuf
import Testing

@testable import ProvenanceMLMD

/// Over gRPC as over REST: a passed deadline stops the statement in PostgreSQL, and text or structs no client can
/// read back, and bad filters, are INVALID_ARGUMENT naming the field.
@Suite struct GRPCHardeningTests {
    @Test func aPassedDeadlineCancelsTheStatementInPostgreSQL() async throws {
        try await withTestServer { server in
            let session = try await DatabaseSession.open(server.server.store)
            defer { Task { await session.close() } }
            try await session.lock("artifacts")
            try await withMLMDClient(server) { client in
                var options = CallOptions.defaults
                options.timeout = .milliseconds(500)
                await expectStatus(.deadlineExceeded) {
                    _ = try await client.getArtifacts(MlMetadata_GetArtifactsRequest(), options: options)
                }
            }
            // The lock is still held: only a cancel can have ended the statement.
            #expect(try await session.waitUntilWaitingStatements { $0 == 0 }, "the statement was cancelled")
            try await session.release()
        }
    }

    @Test func textWithANulCharacterIsInvalidAndNamesTheField() async throws {
        try await withTestServer { server in
            try await withMLMDClient(server) { client in
                let types = try await PipelineTypes.put(client)
                let nul = "bad\u{0}name"
                let cases: [(MlMetadata_Artifact, String)] = [
                    (.with { $0.typeID = types.dataset; $0.name = nul }, "artifacts[0].name"),
                    (.with { $0.typeID = types.dataset; $0.uri = nul }, "artifacts[0].uri"),
                    (.with { $0.typeID = types.dataset; $0.externalID = nul }, "artifacts[0].external_id"),
                    (.with { $0.typeID = types.dataset; $0.customProperties = [nul: .with { $0.intValue = 1 }] }, "artifacts[0].custom_properties"),
                    (.with { $0.typeID = types.dataset; $0.customProperties = ["note": .with { $0.stringValue = nul }] }, "artifacts[0].custom_properties.note"),
                ]
                for (artifact, field) in cases {
                    let message = await expectStatus(.invalidArgument) {
                        _ = try await client.putArtifacts(.with { $0.artifacts = [artifact] })
                    }
                    #expect(message.hasPrefix("\(field): must not contain a NUL character"), "\(message)")
                }
                let lookup = await expectStatus(.invalidArgument) {
                    _ = try await client.getArtifactsByExternalIds(.with { $0.externalIds = [nul] })
                }
                #expect(lookup.hasPrefix("external_ids:"), "\(lookup)")
                let typeLookup = await expectStatus(.invalidArgument) {
                    _ = try await client.getArtifactType(.with { $0.typeName = nul })
                }
                #expect(typeLookup.hasPrefix("type_name:"), "\(typeLookup)")
                let filter = await expectStatus(.invalidArgument) {
                    _ = try await client.getArtifacts(.with { $0.options = .with { $0.filterQuery = "name = '\(nul)'" } })
                }
                #expect(filter.contains("NUL character"), "\(filter)")
                #expect(filter.hasPrefix("options.filter_query:"), "\(filter)")
            }
        }
    }

    @Test func aStructDeeperThanClientsCanReadIsRefused() async throws {
        try await withTestServer { server in
            try await withMLMDClient(server) { client in
                let types = try await PipelineTypes.put(client)
                func artifact(depth: Int) -> MlMetadata_Artifact {
                    var value = Google_Protobuf_Struct(fields: ["leaf": Google_Protobuf_Value(numberValue: 1)])
                    for _ in 1..<depth {
                        value = Google_Protobuf_Struct(fields: ["k": Google_Protobuf_Value(structValue: value)])
                    }
                    return .with {
                        $0.typeID = types.dataset
                        $0.customProperties = ["config": .with { $0.structValue = value }]
                    }
                }
                let limit = PropertyValue.maximumStructDepth
                let stored = try await client.putArtifacts(.with { $0.artifacts = [artifact(depth: limit)] })
                #expect(stored.artifactIds.count == 1)
                let message = await expectStatus(.invalidArgument) {
                    _ = try await client.putArtifacts(.with { $0.artifacts = [artifact(depth: limit + 1)] })
                }
                #expect(message.contains("at most \(limit) levels deep"), "\(message)")
                #expect(message.hasPrefix("artifacts[0].custom_properties.config"), "\(message)")
            }
        }
    }

    @Test func aLikePatternEndingInTheEscapeCharacterIsInvalid() async throws {
        try await withTestServer { server in
            try await withMLMDClient(server) { client in
                let types = try await PipelineTypes.put(client)
                _ = try await client.putArtifacts(.with { $0.artifacts = [.with { $0.typeID = types.dataset; $0.uri = "s3://a\\" }] })
                let message = await expectStatus(.invalidArgument) {
                    _ = try await client.getArtifacts(.with { $0.options = .with { $0.filterQuery = #"uri LIKE 's3://a\\'"# } })
                }
                #expect(message.contains("cannot end with the escape character"), "\(message)")
                #expect(message.hasSuffix("at column 10"), "\(message)")
            }
        }
    }

    @Test func aConflictNamesTheRequestFieldNotTheTablesColumns() async throws {
        try await withTestServer { server in
            try await withMLMDClient(server) { client in
                let types = try await PipelineTypes.put(client)
                let twins: [MlMetadata_Artifact] = [
                    .with { $0.typeID = types.dataset; $0.externalID = "ds-train" },
                    .with { $0.typeID = types.dataset; $0.externalID = "ds-train" },
                ]
                let message = await expectStatus(.alreadyExists) {
                    _ = try await client.putArtifacts(.with { $0.artifacts = twins })
                }
                #expect(message == "artifacts[1].external_id: an artifact with external_id 'ds-train' already exists")
            }
        }
    }

    @Test func aFilterWithTooManyAliasesIsInvalid() async throws {
        try await withTestServer { server in
            try await withMLMDClient(server) { client in
                let aliases = (1...Filter.maximumAliases + 1).map { "contexts_c\($0).name = 'x'" }.joined(separator: " AND ")
                let message = await expectStatus(.invalidArgument) {
                    _ = try await client.getArtifacts(.with { $0.options = .with { $0.filterQuery = aliases } })
                }
                #expect(message.contains("at most \(Filter.maximumAliases) neighbourhood aliases"), "\(message)")
            }
        }
    }

    @Test func readsByIDAreBounded() async throws {
        try await withTestServer { server in
            try await withMLMDClient(server) { client in
                let ids = (1...Int64(Validation.maximumIDsPerRead + 1)).map { $0 }
                let message = await expectStatus(.invalidArgument) {
                    _ = try await client.getArtifactsByID(.with { $0.artifactIds = ids })
                }
                #expect(message.hasPrefix("artifact_ids: names \(ids.count) ids"), "\(message)")
                let fine = try await client.getArtifactsByID(.with { $0.artifactIds = Array(ids.dropLast()) })
                #expect(fine.artifacts.isEmpty)
            }
        }
    }
}

/// Shutting down lets RPCs in flight finish within the grace period (grpc-swift reports them cancelled at once;
/// the service must not take that for a client that went away).
@Suite struct GRPCShutdownTests {
    @Test(.timeLimit(.minutes(2))) func anRPCInFlightWhenShutdownBeginsIsAnswered() async throws {
        var config = ServerConfiguration(httpPort: 0, grpcPort: 0, logLevel: .warning)
        config.databaseURL = try await TestCluster.shared.freshDatabase().url
        config.databaseConnections = TestCluster.connectionsPerServer
        config.connectionWait = TestCluster.connectionWait
        config.shutdownGrace = .seconds(30)
        let server = try await buildServer(config: config, handleSignals: false)
        let running = Task { try await server.run() }
        let grpcPort = await server.listeningGRPCPort()
        let session = try await DatabaseSession.open(server.store)
        try await session.lock("artifacts")
        let transport = try HTTP2ClientTransport.Posix(
            target: .ipv4(address: "127.0.0.1", port: grpcPort), transportSecurity: .plaintext)
        try await withGRPCClient(transport: transport) { grpc in
            let client = MLMDClient(wrapping: grpc)
            let inFlight = Task { try await client.getArtifacts(MlMetadata_GetArtifactsRequest()) }
            #expect(try await session.waitUntilWaitingStatements { $0 == 1 })
            await server.shutdown()
            // Shutdown has begun once the listener is closed; only then may the RPC's statement go on.
            try await waitUntilRefusingConnections(port: grpcPort)
            try await session.release()
            let answer = try await inFlight.value
            #expect(answer.artifacts.isEmpty, "the RPC in flight was answered")
        }
        try await running.value
        await session.close()
    }
}
