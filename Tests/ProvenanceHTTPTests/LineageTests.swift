import Foundation
import ProvenanceCore
import ProvenanceTestSupport
import Testing

/// A small graph with known answers: a model trained on two datasets (one through a transform), evaluated on
/// each, and warm-started into a second model.
///
///     d1 -> transform(x1) -> t1 -> trainer(x2) <- d2
///                            |         |
///                            |         v
///                            |        m1 -> evaluator(x3) <- d1   => e1
///                            |         |    evaluator(x4) <- d2   => e2
///                            +----> trainer(x5) <- m1             => m2
struct TrainingGraph {
    var ids: [String: Int64] = [:]

    static func build(_ server: TestServer) async throws -> TrainingGraph {
        try await createPipelineTypes(server)
        for type: JSON in [
            ["kind": "artifact", "name": "Transformed"],
            ["kind": "artifact", "name": "Metrics", "base_type": "METRICS"],
            ["kind": "execution", "name": "Transform"],
            ["kind": "execution", "name": "Evaluator"],
        ] {
            let reply = try await server.api(.POST, "/types", json: type)
            guard reply.status == 201 else { throw TestFailure("fixture failed: \(reply.json)") }
        }
        let artifacts: [(String, String)] = [
            ("d1", "Dataset"), ("d2", "Dataset"), ("t1", "Transformed"), ("m1", "Model"), ("e1", "Metrics"),
            ("e2", "Metrics"), ("m2", "Model"),
        ]
        let executions: [(String, String)] = [
            ("x1", "Transform"), ("x2", "Trainer"), ("x3", "Evaluator"), ("x4", "Evaluator"), ("x5", "Trainer"),
        ]
        let edges: [(String, String, String)] = [
            ("d1", "x1", "INPUT"), ("t1", "x1", "OUTPUT"), ("t1", "x2", "INPUT"), ("d2", "x2", "INPUT"),
            ("m1", "x2", "OUTPUT"), ("m1", "x3", "INPUT"), ("d1", "x3", "INPUT"), ("e1", "x3", "OUTPUT"),
            ("m1", "x4", "INPUT"), ("d2", "x4", "INPUT"), ("e2", "x4", "OUTPUT"), ("m1", "x5", "INPUT"),
            ("t1", "x5", "INPUT"), ("m2", "x5", "OUTPUT"),
        ]
        let artifactIndex = Dictionary(uniqueKeysWithValues: artifacts.enumerated().map { ($1.0, $0) })
        let executionIndex = Dictionary(uniqueKeysWithValues: executions.enumerated().map { ($1.0, $0) })
        let accuracy: [String: Double] = ["m1": 0.91, "m2": 0.95]
        let body: JSON = [
            "artifacts": .array(artifacts.map { name, type in
                var node: [(key: String, value: JSON)] = [("type", .string(type)), ("name", .string(name))]
                if let value = accuracy[name] { node.append(("properties", ["accuracy": .double(value)])) }
                return .object(node)
            }),
            "executions": .array(executions.map { name, type in ["type": .string(type), "name": .string(name)] }),
            "contexts": [["type": "Pipeline", "name": "train"]],
            "events": .array(edges.map { artifact, execution, type in
                var event: [(key: String, value: JSON)] = [
                    ("artifact_index", .int(Int64(artifactIndex[artifact]!))),
                    ("execution_index", .int(Int64(executionIndex[execution]!))), ("type", .string(type)),
                ]
                if (artifact, execution) == ("m1", "x5") { event.append(("path", TrainingGraph.warmStartPath)) }
                return .object(event)
            }),
            "associations": .array(executions.indices.map { ["context_index": 0, "execution_index": .int(Int64($0))] }),
            "attributions": [["context_index": 0, "artifact_index": .int(Int64(artifactIndex["m1"]!))]],
        ]
        let reply = try await server.api(.POST, "/lineage:record", json: body)
        guard reply.status == 201 else { throw TestFailure("fixture failed: \(reply.json)") }
        var graph = TrainingGraph()
        for (offset, (name, _)) in artifacts.enumerated() { graph.ids[name] = reply.json.array("artifact_ids")[offset].intValue }
        for (offset, (name, _)) in executions.enumerated() { graph.ids[name] = reply.json.array("execution_ids")[offset].intValue }
        graph.ids["train"] = reply.json.array("context_ids")[0].intValue
        return graph
    }

    subscript(_ name: String) -> Int64 { ids[name]! }

    /// The path of the event m1 -> x5 (the other events have none).
    static let warmStartPath: JSON = [["key": "warm \"start\" ü"], ["index": 1]]
}

extension JSON {
    var intValue: Int64 {
        if case .int(let value) = self { return value }
        return -1
    }
}

func encoded(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
}

@Suite struct LineageTests {
    @Test func provenanceOfAModelFindsBothDatasetsWithTheirChains() async throws {
        try await withTestServer { server in
            let g = try await TrainingGraph.build(server)
            let reply = try await server.api(.GET, "/artifacts/\(g["m1"])/provenance")
            #expect(reply.status == 200)
            let found = reply.json.array("artifacts")
            #expect(found.map { $0["artifact"]!.int("id") } == [g["d2"], g["d1"]])
            #expect(found.map { $0.int("hops") } == [2, 4])
            let chain = found[1].array("path").map { "\($0.string("kind")!):\($0.int("id"))" }
            #expect(chain == ["artifact:\(g["m1"])", "execution:\(g["x2"])", "artifact:\(g["t1"])", "execution:\(g["x1"])", "artifact:\(g["d1"])"])
            #expect(reply.json.array("producers").map { $0.int("id") } == [g["x2"]])
            #expect(reply.json.array("contexts").map { $0.string("name") } == ["train"])
            #expect(reply.json["truncated"] == false)

            let transformed = try await server.api(.GET, "/artifacts/\(g["m2"])/provenance?filter=\(encoded("type = 'Transformed'"))")
            #expect(transformed.json.array("artifacts").map { $0["artifact"]!.int("id") } == [g["t1"]])
            let near = try await server.api(.GET, "/artifacts/\(g["m1"])/provenance?max_hops=3")
            #expect(near.json.array("artifacts").map { $0["artifact"]!.int("id") } == [g["d2"]])
        }
    }

    @Test func impactOfADatasetReachesEveryModelAndResultsFollowTheEvaluations() async throws {
        try await withTestServer { server in
            let g = try await TrainingGraph.build(server)
            let impact = try await server.api(.GET, "/artifacts/\(g["d1"])/impact")
            #expect(impact.json.array("artifacts").map { $0["artifact"]!.int("id") } == [g["m1"], g["m2"]])
            #expect(impact.json.array("consumers").map { $0.int("id") } == [g["x1"], g["x3"]])
            let results = try await server.api(.GET, "/artifacts/\(g["m1"])/results")
            #expect(results.json.array("artifacts").map { $0["artifact"]!.int("id") } == [g["e1"], g["e2"]])
            let onD2 = try await server.api(.GET, "/artifacts/\(g["m1"])/results?dataset_id=\(g["d2"])")
            #expect(onD2.json.array("artifacts").map { $0["artifact"]!.int("id") } == [g["e2"]])
            let missing = try await server.api(.GET, "/artifacts/999999/impact")
            #expect(missing.status == 404)
            let both = try await server.api(.GET, "/artifacts/\(g["d1"])/impact?base_type=MODEL&filter=id%3E0")
            #expect(both.status == 400)
        }
    }

    @Test func subgraphQueriesHonourDirectionHopsEndingsAndTheNodeCap() async throws {
        try await withTestServer { server in
            let g = try await TrainingGraph.build(server)
            func query(_ body: JSON) async throws -> JSON {
                let reply = try await server.api(.POST, "/lineage:query", json: body)
                #expect(reply.status == 200, "\(reply.json)")
                return reply.json
            }
            func ids(_ json: JSON, _ key: String) -> [Int64] { json.array(key).map { $0.int("id") }.sorted() }

            let up = try await query(["starting_artifacts": ["ids": [.int(g["m2"])]], "max_num_hops": 2])
            #expect(ids(up, "artifacts") == [g["t1"], g["m1"], g["m2"]].sorted())
            #expect(ids(up, "executions") == [g["x5"]])
            #expect(up.array("events").count == 3)
            let warmStart = up.array("events").first { $0.int("artifact_id") == g["m1"] && $0.int("execution_id") == g["x5"] }
            #expect(warmStart?["path"] == TrainingGraph.warmStartPath)
            #expect(up.array("events").filter { $0.int("artifact_id") != g["m1"] }.allSatisfy { $0["path"] == [] })
            #expect(up.array("artifact_types").count == 2)
            #expect(up.array("artifacts").first { $0.int("id") == g["m1"] }?.int("hops") == 2)

            let down = try await query(["starting_artifacts": ["ids": [.int(g["d1"])]], "direction": "DOWNSTREAM", "max_num_hops": 2])
            #expect(ids(down, "executions") == [g["x1"], g["x3"]].sorted())
            #expect(ids(down, "artifacts") == [g["d1"], g["t1"], g["e1"]].sorted())

            let everything = try await query(["starting_executions": ["filter_query": "name = 'x3'"], "direction": "BIDIRECTIONAL", "max_num_hops": 100])
            #expect(everything.array("artifacts").count == 7)
            #expect(everything.array("executions").count == 5)
            #expect(everything.array("contexts").map { $0.string("name") } == ["train"])
            let train = everything.array("contexts")[0].int("id")
            let executionIDs = ids(everything, "executions")
            #expect(everything.array("associations").map { $0.int("execution_id") }.sorted() == executionIDs)
            #expect(everything.array("associations").allSatisfy { $0.int("context_id") == train })
            #expect(everything.array("attributions").map { $0.int("artifact_id") } == [g["m1"]])
            #expect(everything.array("parent_contexts").isEmpty)
            let linksOnly = try await query([
                "starting_executions": ["filter_query": "name = 'x3'"], "direction": "BIDIRECTIONAL", "max_num_hops": 100,
                "read_mask": ["attributions", "associations"],
            ])
            #expect(linksOnly["artifacts"] == nil && linksOnly["contexts"] == nil)
            #expect(linksOnly["executions"] == nil && linksOnly["events"] == nil)
            #expect(linksOnly.array("attributions").map { $0.int("artifact_id") } == [g["m1"]])
            #expect(linksOnly.array("associations").count == executionIDs.count)

            let stopped = try await query([
                "starting_artifacts": ["ids": [.int(g["m2"])]], "max_num_hops": 20,
                "ending_executions": ["filter_query": "type = 'Transform'"],
            ])
            #expect(!ids(stopped, "artifacts").contains(g["d1"]))
            #expect(!ids(stopped, "executions").contains(g["x1"]))
            let included = try await query([
                "starting_artifacts": ["ids": [.int(g["m2"])]],
                "ending_executions": ["filter_query": "type = 'Transform'", "include_ending_nodes": true],
            ])
            #expect(ids(included, "executions").contains(g["x1"]))
            #expect(!ids(included, "artifacts").contains(g["d1"]))

            let capped = try await query(["starting_artifacts": ["ids": [.int(g["m2"])]], "max_node_size": 3, "read_mask": ["artifacts", "executions"]])
            #expect(capped.array("artifacts").count + capped.array("executions").count == 3)
            #expect(capped["truncated"] == true)
            #expect(capped["events"] == nil && capped["contexts"] == nil)

            // A parent link among the subgraph's contexts, asked for alone.
            let project = try await server.api(.POST, "/contexts", json: ["contexts": [["type": "Pipeline", "name": "project"]]])
            let projectID = try #require(project.json.array("contexts").first).int("id")
            #expect(try await server.api(.PUT, "/contexts/\(projectID)/artifacts/\(g["d1"])").status == 200)
            #expect(try await server.api(.PUT, "/contexts/\(g["train"])/parents/\(projectID)").status == 200)
            let parents = try await query([
                "starting_artifacts": ["ids": [.int(g["m1"])]], "max_num_hops": 4, "read_mask": ["parent_contexts"],
            ])
            #expect(parents.array("parent_contexts") == [["child_id": .int(g["train"]), "parent_id": .int(projectID)]])
            #expect(parents["contexts"] == nil && parents["artifacts"] == nil && parents["events"] == nil)

            let bad = try await server.api(.POST, "/lineage:query", json: ["starting_artifacts": ["filter_query": "nmae = 'x'"]])
            #expect(bad.status == 400)
            #expect(bad.json["error"]?.string("message")?.contains("column 1") == true)
            let noStart = try await server.api(.POST, "/lineage:query", json: ["direction": "upstream"])
            #expect(noStart.status == 400)
            let tooDeep = try await server.api(.POST, "/lineage:query", json: ["starting_artifacts": ["ids": [1]], "max_num_hops": 1_000_000])
            #expect(tooDeep.status == 400)
        }
    }

    @Test func repeatedAndAlreadyStoredLinksAreWrittenOnce() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            let body: JSON = [
                "artifacts": [["type": "Dataset", "external_id": "shared-ds"]],
                "executions": [["type": "Trainer"]],
                "contexts": [["type": "Pipeline", "name": "p"]],
                "attributions": [["context_index": 0, "artifact_index": 0], ["context_index": 0, "artifact_index": 0]],
                "associations": [["context_index": 0, "execution_index": 0]],
            ]
            let first = try await server.api(.POST, "/lineage:record", json: body)
            #expect(first.status == 201, "\(first.json)")
            // The second write reuses the stored dataset and pipeline: their link exists already.
            let second = try await server.api(.POST, "/lineage:record", json: body)
            #expect(second.status == 201, "\(second.json)")
            #expect(second.json.array("artifact_ids") == first.json.array("artifact_ids"))
            #expect(second.json.array("context_ids") == first.json.array("context_ids"))
            let context = first.json.array("context_ids")[0].intValue
            #expect(try await server.api(.GET, "/contexts/\(context)/artifacts").json.array("artifacts").count == 1)
            // Two rows reusing the one stored dataset, linked to a new context: one link, not a duplicate-key error.
            let twice = try await server.api(.POST, "/lineage:record", json: [
                "artifacts": [["type": "Dataset", "external_id": "shared-ds"], ["type": "Dataset", "external_id": "shared-ds"]],
                "contexts": [["type": "Pipeline", "name": "q"]],
            ])
            #expect(twice.status == 201, "\(twice.json)")
            let q = twice.json.array("context_ids")[0].intValue
            #expect(try await server.api(.GET, "/contexts/\(q)/artifacts").json.array("artifacts").count == 1)
            #expect(try await server.api(.GET, "/contexts/\(context)/executions").json.array("executions").count == 2)
        }
    }

    @Test func cyclesAndDiamondsVisitEachNodeOnceAtItsShortestDistance() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            // a0 -> x0 -> a1 -> x1 -> a0 (a cycle), and a1 -> x2 -> a2, a1 -> x3 -> a3, a2 + a3 -> x4 -> a4 (a diamond).
            let edges: [(Int, Int, String)] = [
                (0, 0, "INPUT"), (1, 0, "OUTPUT"), (1, 1, "INPUT"), (0, 1, "OUTPUT"), (1, 2, "INPUT"), (2, 2, "OUTPUT"),
                (1, 3, "INPUT"), (3, 3, "OUTPUT"), (2, 4, "INPUT"), (3, 4, "INPUT"), (4, 4, "OUTPUT"),
            ]
            let reply = try await server.api(.POST, "/lineage:record", json: [
                "artifacts": .array((0..<5).map { _ in ["type": "Dataset"] }),
                "executions": .array((0..<5).map { _ in ["type": "Trainer"] }),
                "events": .array(edges.map { ["artifact_index": .int(Int64($0.0)), "execution_index": .int(Int64($0.1)), "type": .string($0.2)] }),
            ])
            #expect(reply.status == 201)
            let a = reply.json.array("artifact_ids").map(\.intValue)
            let up = try await server.api(.POST, "/lineage:query", json: [
                "starting_artifacts": ["ids": [.int(a[4])]], "max_num_hops": 1000, "read_mask": ["artifacts", "executions"],
            ])
            let hops = Dictionary(uniqueKeysWithValues: up.json.array("artifacts").map { ($0.int("id"), $0.int("hops")) })
            #expect(up.json.array("artifacts").count == 5)
            #expect(up.json.array("executions").count == 5)
            #expect(hops == [a[4]: 0, a[2]: 2, a[3]: 2, a[1]: 4, a[0]: 6])
        }
    }

    @Test func filtersSelectByAttributesPropertiesAndNeighbourhoods() async throws {
        try await withTestServer { server in
            let g = try await TrainingGraph.build(server)
            func list(_ resource: String, _ filter: String) async throws -> [Int64] {
                let reply = try await server.api(.GET, "/\(resource)?filter=\(encoded(filter))&page_size=100")
                #expect(reply.status == 200, "\(filter): \(reply.json)")
                return reply.json.array(resource).map { $0.int("id") }
            }
            #expect(try await list("artifacts", "properties.accuracy.double_value > 0.9 AND contexts_a.name = 'train'") == [g["m1"]])
            #expect(try await list("artifacts", "properties.accuracy.double_value >= 0.92") == [g["m2"]])
            #expect(try await list("artifacts", "type IN ('Metrics', 'Transformed')") == [g["t1"], g["e1"], g["e2"]])
            #expect(try await list("artifacts", "name LIKE 'e%' OR name = 'd1'") == [g["d1"], g["e1"], g["e2"]])
            #expect(try await list("artifacts", "NOT (name LIKE '%1') AND uri IS NULL AND state = UNKNOWN") == [g["d2"], g["e2"], g["m2"]])
            #expect(try await list("artifacts", "events_e.type = OUTPUT AND events_e.milliseconds_since_epoch < 0") == [])
            #expect(try await list("executions", "events_e.type = INPUT AND name != 'x1'").count == 4)
            #expect(try await list("executions", "contexts_p.type = 'Pipeline' AND contexts_p.name = 'train' AND type = 'Evaluator'") == [g["x3"], g["x4"]])
            #expect(try await list("contexts", "artifacts_m.name = 'm1' AND executions_x.name = 'x5'") == [g["train"]])
            #expect(try await list("contexts", "parent_contexts_p.name = 'anything'") == [])
            #expect(try await list("artifacts", "id > \(g["m1"]) AND create_time_since_epoch > 0") == [g["e1"], g["e2"], g["m2"]])
            #expect(try await list("executions", "last_known_state IN (UNKNOWN, COMPLETE) AND last_update_time_since_epoch <= 99999999999999").count == 5)

            let formEncoded = try await server.api(.GET, "/artifacts?filter=name+%3D+%27d1%27+OR+name+IN+(%27m2%27)")
            #expect(formEncoded.json.array("artifacts").map { $0.int("id") } == [g["d1"], g["m2"]])

            let bad = try await server.api(.GET, "/artifacts?filter=\(encoded("name = 'x' AND state = SOLID"))")
            #expect(bad.status == 400)
            let message = bad.json["error"]?.string("message") ?? ""
            #expect(message.contains("SOLID") && message.contains("column 24"), "\(message)")
        }
    }

    @Test func pageTokensStayBoundToTheirFilter() async throws {
        try await withTestServer { server in
            let g = try await TrainingGraph.build(server)
            let first = try await server.api(.GET, "/artifacts?filter=\(encoded("name LIKE '%'"))&page_size=2")
            let token = try #require(first.json.string("next_page_token"))
            let second = try await server.api(.GET, "/artifacts?filter=\(encoded("name LIKE '%'"))&page_size=2&page_token=\(token)")
            #expect(second.json.array("artifacts").map { $0.int("id") } == [g["t1"], g["m1"]])
            let other = try await server.api(.GET, "/artifacts?filter=\(encoded("name LIKE 'e%'"))&page_size=2&page_token=\(token)")
            #expect(other.status == 400)
        }
    }
}
