import Foundation
import GRPCCore
import GRPCProtobuf
import ProvenanceCore
import ProvenanceTestSupport
import SwiftProtobuf
import Testing

@testable import ProvenanceMLMD

/// MLMD's semantics on the wire: exact values, updates, pagination and the status of each kind of failure.
@Suite struct MLMDSemanticsTests {
    @Test func propertyValuesRoundTripExactly() async throws {
        try await withTestServer { server in
            try await withMLMDClient(server) { client in
                let type = try await client.putArtifactType(
                    .with { $0.artifactType = .with { $0.name = "Blob"; $0.properties = ["big": .int, "ratio": .double] } })
                var structValue = Google_Protobuf_Struct()
                structValue.fields["nested"] = Google_Protobuf_Value(structValue: Google_Protobuf_Struct(fields: ["n": Google_Protobuf_Value(numberValue: 1.5)]))
                structValue.fields["list"] = Google_Protobuf_Value(listValue: Google_Protobuf_ListValue(values: [Google_Protobuf_Value(stringValue: "a"), Google_Protobuf_Value(boolValue: true)]))
                var any = Google_Protobuf_Any()
                any.typeURL = "type.googleapis.com/example.Payload"
                any.value = Data([0, 1, 2, 255])
                let artifact = MlMetadata_Artifact.with {
                    $0.typeID = type.typeID
                    $0.properties = [
                        "big": .with { $0.intValue = Int64.max }, "ratio": .with { $0.doubleValue = 0.1 + 0.2 },
                    ]
                    $0.customProperties = [
                        "small": .with { $0.intValue = Int64.min }, "flag": .with { $0.boolValue = false },
                        "config": .with { $0.structValue = structValue }, "payload": .with { $0.protoValue = any },
                        "text": .with { $0.stringValue = "naïve \"quoted\"\n" },
                    ]
                }
                let id = try await client.putArtifacts(.with { $0.artifacts = [artifact] }).artifactIds[0]
                let stored = try await client.getArtifactsByID(.with { $0.artifactIds = [id] }).artifacts[0]
                #expect(stored.properties == artifact.properties)
                #expect(stored.customProperties == artifact.customProperties)
            }
        }
    }

    @Test func anUpdateMaskChangesOnlyTheNamedFields() async throws {
        try await withTestServer { server in
            try await withMLMDClient(server) { client in
                let types = try await PipelineTypes.put(client)
                let id = try await client.putArtifacts(
                    .with {
                        $0.artifacts = [
                            .with {
                                $0.typeID = types.model
                                $0.uri = "s3://m1"
                                $0.properties = ["accuracy": .with { $0.doubleValue = 0.5 }]
                                $0.customProperties = ["a": .with { $0.stringValue = "x" }, "b": .with { $0.stringValue = "y" }]
                            }
                        ]
                    }
                ).artifactIds[0]
                _ = try await client.putArtifacts(
                    .with {
                        $0.artifacts = [
                            .with {
                                $0.id = id
                                $0.typeID = types.model
                                $0.uri = "s3://ignored"
                                $0.customProperties = ["a": .with { $0.stringValue = "changed" }]
                            }
                        ]
                        $0.updateMask = .with { $0.paths = ["custom_properties.a", "custom_properties.b", "not_a_field"] }
                    })
                let stored = try await client.getArtifactsByID(.with { $0.artifactIds = [id] }).artifacts[0]
                #expect(stored.uri == "s3://m1")
                #expect(stored.properties["accuracy"]?.doubleValue == 0.5)
                #expect(stored.customProperties == ["a": .with { $0.stringValue = "changed" }])
            }
        }
    }

    @Test func aStaleUpdateTimeAbortsTheUpdateWhenAsked() async throws {
        try await withTestServer { server in
            try await withMLMDClient(server) { client in
                let types = try await PipelineTypes.put(client)
                let id = try await client.putArtifacts(.with { $0.artifacts = [.with { $0.typeID = types.model; $0.uri = "s3://a" }] })
                    .artifactIds[0]
                var stored = try await client.getArtifactsByID(.with { $0.artifactIds = [id] }).artifacts[0]
                stored.uri = "s3://b"
                let fresh = MlMetadata_PutArtifactsRequest.with {
                    $0.artifacts = [stored]
                    $0.options = .with { $0.abortIfLatestUpdatedTimeChanged = true }
                }
                try await Task.sleep(for: .milliseconds(5))
                _ = try await client.putArtifacts(fresh)
                var stale = fresh
                stale.artifacts[0].uri = "s3://c"
                await expectStatus(.failedPrecondition) { _ = try await client.putArtifacts(stale) }
                let after = try await client.getArtifactsByID(.with { $0.artifactIds = [id] }).artifacts[0]
                #expect(after.uri == "s3://b")
            }
        }
    }

    @Test func pagesFollowTheOrderAndTheTokenIsBoundToItsQuery() async throws {
        try await withTestServer { server in
            try await withMLMDClient(server) { client in
                let types = try await PipelineTypes.put(client)
                let artifacts = (0..<5).map { n in
                    MlMetadata_Artifact.with {
                        $0.typeID = types.dataset
                        $0.uri = "s3://d\(n)"
                        $0.properties = ["rows": .with { $0.intValue = Int64(n) }]
                    }
                }
                let ids = try await client.putArtifacts(.with { $0.artifacts = artifacts }).artifactIds
                var options = MlMetadata_ListOperationOptions.with {
                    $0.maxResultSize = 2
                    $0.orderByField = .with { $0.field = .id; $0.isAsc = false }
                    $0.filterQuery = "properties.rows.int_value >= 1"
                }
                let first = try await client.getArtifacts(.with { $0.options = options })
                #expect(first.artifacts.map(\.id) == [ids[4], ids[3]])
                options.nextPageToken = first.nextPageToken
                let second = try await client.getArtifacts(.with { $0.options = options })
                #expect(second.artifacts.map(\.id) == [ids[2], ids[1]])
                options.filterQuery = "properties.rows.int_value >= 0"
                await expectStatus(.invalidArgument) { _ = try await client.getArtifacts(.with { $0.options = options }) }
            }
        }
    }

    @Test func failuresCarryMLMDStatusCodes() async throws {
        try await withTestServer { server in
            try await withMLMDClient(server) { client in
                let types = try await PipelineTypes.put(client)
                // A type written again with a property of another type.
                await expectStatus(.alreadyExists) {
                    _ = try await client.putArtifactType(
                        .with { $0.artifactType = .with { $0.name = "Dataset"; $0.properties = ["rows": .string] } })
                }
                let message = await expectStatus(.invalidArgument) {
                    _ = try await client.getArtifacts(.with { $0.options = .with { $0.filterQuery = "uri = " } })
                }
                #expect(message.contains("options.filter_query"))
                await expectStatus(.invalidArgument) {
                    _ = try await client.putEvents(
                        .with { $0.events = [.with { $0.artifactID = 12345; $0.executionID = 6789; $0.type = .input }] })
                }
                _ = try await client.putExecution(types.trainingRun(pipeline: "p"))
                var again = types.trainingRun(dataset: "ds-2", pipeline: "p")
                again.options.reuseContextIfAlreadyExist = false
                await expectStatus(.alreadyExists) { _ = try await client.putExecution(again) }
                let contexts = try await client.getContexts(.init()).contexts
                #expect(contexts.count == 1)
                let other = try await client.putContexts(.with { $0.contexts = [.with { $0.typeID = types.pipeline; $0.name = "q" }] })
                let link = MlMetadata_PutParentContextsRequest.with {
                    $0.parentContexts = [.with { $0.childID = contexts[0].id; $0.parentID = other.contextIds[0] }]
                }
                _ = try await client.putParentContexts(link)
                await expectStatus(.alreadyExists) { _ = try await client.putParentContexts(link) }
                let cycle = MlMetadata_PutParentContextsRequest.with {
                    $0.parentContexts = [.with { $0.childID = other.contextIds[0]; $0.parentID = contexts[0].id }]
                }
                await expectStatus(.invalidArgument) { _ = try await client.putParentContexts(cycle) }
            }
        }
    }

    @Test func eventsMayNameStoredNodesByIdWithoutChangingTheAnsweredIds() async throws {
        try await withTestServer { server in
            try await withMLMDClient(server) { client in
                let types = try await PipelineTypes.put(client)
                let first = try await client.putExecution(types.trainingRun())
                let (dataset, model) = (first.artifactIds[0], first.artifactIds[1])
                // PutLineageSubgraph: a new model whose trainer read the stored model, named only by the event's id.
                let subgraph = try await client.putLineageSubgraph(
                    .with {
                        $0.artifacts = [.with { $0.typeID = types.model; $0.uri = "s3://models/m2" }]
                        $0.executions = [.with { $0.typeID = types.trainer }]
                        $0.contexts = [.with { $0.typeID = types.pipeline; $0.name = "p2" }]
                        $0.eventEdges = [
                            .with { $0.executionIndex = 0; $0.event = .with { $0.artifactID = model; $0.type = .input } },
                            .with { $0.artifactIndex = 0; $0.executionIndex = 0; $0.event = .with { $0.type = .output } },
                        ]
                    })
                #expect(subgraph.artifactIds.count == 1 && subgraph.executionIds.count == 1)
                let read = try await client.getEventsByArtifactIDs(.with { $0.artifactIds = [model] }).events
                #expect(read.contains { $0.executionID == subgraph.executionIds[0] && $0.type == .input })
                let attributed = try await client.getArtifactsByContext(.with { $0.contextID = subgraph.contextIds[0] }).artifacts
                #expect(attributed.map(\.id) == subgraph.artifactIds, "the stored model is linked by its event only")
                // PutExecution: a pair with only an event, naming the stored dataset.
                var rerun = types.trainingRun(pipeline: "p3")
                rerun.artifactEventPairs[0] = .with { $0.event = .with { $0.artifactID = dataset; $0.type = .input } }
                let second = try await client.putExecution(rerun)
                #expect(second.artifactIds.count == 1)
                let reads = try await client.getEventsByExecutionIDs(.with { $0.executionIds = [second.executionID] }).events
                #expect(reads.contains { $0.artifactID == dataset && $0.type == .input })
                // An index outside the request's nodes, or an id that is not the indexed node's, is refused.
                await expectStatus(.invalidArgument) {
                    _ = try await client.putLineageSubgraph(
                        .with {
                            $0.executions = [.with { $0.typeID = types.trainer }]
                            $0.eventEdges = [
                                .with { $0.executionIndex = 0; $0.event = .with { $0.artifactID = model; $0.type = .input } },
                                .with { $0.artifactIndex = 0; $0.executionIndex = 0; $0.event = .with { $0.type = .output } },
                            ]
                        })
                }
                await expectStatus(.invalidArgument) {
                    var mismatched = types.trainingRun(pipeline: "p4")
                    mismatched.artifactEventPairs[1].event.artifactID = dataset
                    _ = try await client.putExecution(mismatched)
                }
            }
        }
    }

    @Test func malformedAndOversizedMessagesAreRefusedWithoutHarm() async throws {
        try await withTestServer(configure: { $0.maximumBodyBytes = 64 * 1024 }) { server in
            try await withMLMDClient(server) { client in
                await expectStatus(.invalidArgument) {
                    _ = try await client.putArtifactType(
                        request: ClientRequest(message: MlMetadata_PutArtifactTypeRequest()),
                        serializer: GarbageSerializer(), deserializer: ProtobufDeserializer<MlMetadata_PutArtifactTypeResponse>(), options: .defaults)
                }
                let message = await expectStatus(.resourceExhausted) {
                    _ = try await client.putArtifactType(
                        .with { $0.artifactType = .with { $0.name = String(repeating: "x", count: 100_000) } })
                }
                #expect(message.contains("the limit is 65536"))
                let types = try await PipelineTypes.put(client)
                #expect(types.dataset > 0)
            }
        }
    }
}

/// Serializes any request as bytes that are not a protobuf message (a field tag with a truncated length).
struct GarbageSerializer<Message: Sendable>: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: Message) throws -> Bytes {
        Bytes([0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 0x01])
    }
}
