import GRPCCore
import ProvenanceCore
import ProvenanceTestSupport
import Testing

@testable import ProvenanceMLMD

/// What one protocol writes, the other reads: both adapters sit on the same store.
@Suite struct CrossProtocolTests {
    @Test func anExecutionPutOverGRPCReadsBackOverREST() async throws {
        try await withTestServer { server in
            try await withMLMDClient(server) { client in
                let types = try await PipelineTypes.put(client)
                let run = try await client.putExecution(types.trainingRun())
                #expect(run.artifactIds.count == 2 && run.contextIds.count == 1)

                let model = try await server.api(.GET, "/artifacts/\(run.artifactIds[1])")
                #expect(model.status == 200)
                #expect(model.json["properties"] == ["accuracy": ["double": 0.93]])
                #expect(model.json.string("type") == "Model")
                let events = try await server.api(.GET, "/executions/\(run.executionID)/events")
                #expect(events.json.array("events").map { $0.string("type") } == ["INPUT", "OUTPUT"])
                let attributed = try await server.api(.GET, "/contexts/\(run.contextIds[0])/artifacts")
                #expect(attributed.json.array("artifacts").map { $0.int("id") } == run.artifactIds)
                let provenance = try await server.api(.GET, "/artifacts/\(run.artifactIds[1])/provenance")
                #expect(provenance.json.array("artifacts").map { $0["artifact"]?.int("id") } == [run.artifactIds[0]])
            }
        }
    }

    @Test func aRecordPostedOverRESTReadsBackOverGRPC() async throws {
        try await withTestServer { server in
            try await withMLMDClient(server) { client in
                let types = try await PipelineTypes.put(client)
                let record: JSON = [
                    "execution": ["type": "Trainer", "properties": ["epochs": 3]],
                    "inputs": [["type": "Dataset", "uri": "s3://d", "properties": ["rows": 5]]],
                    "outputs": [["type": "Model", "uri": "s3://m", "custom_properties": ["note": "best"]]],
                    "contexts": [["type": "Pipeline", "name": "rest-pipeline"]],
                ]
                let reply = try await server.api(.POST, "/executions:record", json: record)
                #expect(reply.status == 201)
                let contextID = reply.json.array("context_ids")[0]
                guard case .int(let context) = contextID else { Issue.record("no context id"); return }

                let artifacts = try await client.getArtifactsByContext(.with { $0.contextID = context }).artifacts
                #expect(artifacts.map(\.uri) == ["s3://d", "s3://m"])
                #expect(artifacts[0].typeID == types.dataset && artifacts[0].type == "Dataset")
                #expect(artifacts[0].properties["rows"]?.intValue == 5)
                #expect(artifacts[1].customProperties["note"]?.stringValue == "best")
                let byName = try await client.getContextByTypeAndName(
                    .with {
                        $0.typeName = "Pipeline"
                        $0.contextName = "rest-pipeline"
                    })
                #expect(byName.context.id == context)
                let subgraph = try await client.getLineageSubgraph(
                    .with {
                        $0.lineageSubgraphQueryOptions = .with {
                            $0.startingArtifacts = .with { $0.filterQuery = "uri = 's3://m'" }
                            $0.maxNumHops = 2
                            $0.direction = .upstream
                        }
                    }
                ).lineageSubgraph
                #expect(Set(subgraph.artifacts.map(\.uri)) == ["s3://d", "s3://m"])
                #expect(subgraph.executions.count == 1 && subgraph.events.count == 2)
                #expect(subgraph.contexts.map(\.name) == ["rest-pipeline"])
                #expect(subgraph.attributions.count == 2 && subgraph.associations.count == 1)
                #expect(Set(subgraph.artifactTypes.map(\.name)) == ["Dataset", "Model"])
            }
        }
    }

    @Test func theNamespaceHeaderChoosesTheNamespaceAndAnUnknownOneIsNotFound() async throws {
        try await withTestServer { server in
            let created = try await server.request(.POST, "/api/v1/namespaces", json: ["name": "team-a"])
            #expect(created.status == 201)
            try await withMLMDClient(server) { client in
                let header = namespaceHeader("team-a")
                let types = try await PipelineTypes.put(client, metadata: header)
                let run = try await client.putExecution(types.trainingRun(), metadata: header)

                let inTeam = try await server.request(.GET, "/api/v1/namespaces/team-a/artifacts/\(run.artifactIds[0])")
                #expect(inTeam.status == 200)
                let inDefault = try await server.api(.GET, "/artifacts/\(run.artifactIds[0])")
                #expect(inDefault.status == 404)
                let defaultArtifacts = try await client.getArtifactsByID(.with { $0.artifactIds = run.artifactIds })
                #expect(defaultArtifacts.artifacts.isEmpty)
                await expectStatus(.notFound) {
                    _ = try await client.getArtifacts(.init(), metadata: namespaceHeader("no-such-team"))
                }
            }
        }
    }
}

/// GetLineageGraph: seeds chosen by list options, a hop limit, and boundaries that prune what lies behind them.
@Suite struct LineageGraphTests {
    @Test func boundariesKeepOnlyTheNodesThatSatisfyThem() async throws {
        try await withTestServer { server in
            try await withMLMDClient(server) { client in
                let types = try await PipelineTypes.put(client)
                // d0 -> x0 -> d1 -> x1 -> d2, written in one PutLineageSubgraph.
                let written = try await client.putLineageSubgraph(
                    .with {
                        $0.artifacts = (0..<3).map { n in .with { $0.typeID = types.dataset; $0.uri = "d\(n)" } }
                        $0.executions = (0..<2).map { _ in .with { $0.typeID = types.trainer } }
                        $0.contexts = ["run", "pipeline"].map { name in .with { $0.typeID = types.pipeline; $0.name = name } }
                        $0.eventEdges = (0..<2).flatMap { n in
                            [
                                MlMetadata_PutLineageSubgraphRequest.EventEdge.with {
                                    $0.artifactIndex = Int32(n)
                                    $0.executionIndex = Int32(n)
                                    $0.event = .with { $0.type = .input }
                                },
                                .with {
                                    $0.artifactIndex = Int32(n + 1)
                                    $0.executionIndex = Int32(n)
                                    $0.event = .with { $0.type = .output }
                                },
                            ]
                        }
                    })
                #expect(written.artifactIds.count == 3 && written.executionIds.count == 2)
                _ = try await client.putParentContexts(
                    .with {
                        $0.parentContexts = [.with { $0.childID = written.contextIds[0]; $0.parentID = written.contextIds[1] }]
                    })
                func graph(hops: Int64, boundary: String?) async throws -> MlMetadata_LineageGraph {
                    try await client.getLineageGraph(
                        .with {
                            $0.options = .with {
                                $0.artifactsOptions = .with { $0.filterQuery = "uri = 'd0'" }
                                $0.stopConditions = .with {
                                    $0.maxNumHops = hops
                                    if let boundary { $0.boundaryArtifacts = boundary }
                                }
                            }
                        }
                    ).subgraph
                }
                let whole = try await graph(hops: 10, boundary: nil)
                #expect(Set(whole.artifacts.map(\.uri)) == ["d0", "d1", "d2"])
                #expect(whole.executions.count == 2 && whole.events.count == 4)
                #expect(whole.artifactTypes.map(\.name) == ["Dataset"] && whole.executionTypes.map(\.name) == ["Trainer"])
                #expect(whole.attributions.count == 6 && whole.associations.count == 4)
                #expect(whole.parentContexts.map { [$0.childID, $0.parentID] } == [written.contextIds])
                let near = try await graph(hops: 2, boundary: nil)
                #expect(Set(near.artifacts.map(\.uri)) == ["d0", "d1"])
                let pruned = try await graph(hops: 10, boundary: "uri != 'd1'")
                #expect(pruned.artifacts.map(\.uri) == ["d0"])
                #expect(pruned.executions.map(\.id) == [written.executionIds[0]])
            }
        }
    }
}
