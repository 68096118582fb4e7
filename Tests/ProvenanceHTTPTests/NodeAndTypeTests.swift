import ProvenanceCore
import ProvenanceTestSupport
import Testing

@Suite struct NodeAndTypeTests {
    @Test func namespacesAreCreatedListedAndIsolated() async throws {
        try await withTestServer { server in
            let created = try await server.request(.POST, "/api/v1/namespaces", json: ["name": "team-a"])
            #expect(created.status == 201)
            let list = try await server.request(.GET, "/api/v1/namespaces")
            #expect(list.json.array("namespaces").compactMap { $0.string("name") } == ["default", "team-a"])
            let duplicate = try await server.request(.POST, "/api/v1/namespaces", json: ["name": "team-a"])
            #expect(duplicate.status == 409)
            let bad = try await server.request(.POST, "/api/v1/namespaces", json: ["name": "no spaces"])
            #expect(bad.status == 400)
            try await createPipelineTypes(server)
            let other = try await server.request(
                .POST, "/api/v1/namespaces/team-a/artifacts", json: ["type": "Dataset"])
            #expect(other.status == 404, "types of one namespace are invisible in another")
            let missing = try await server.request(.GET, "/api/v1/namespaces/nope/artifacts")
            #expect(missing.status == 404)
            #expect(missing.errorMessage == "namespace 'nope' not found")
        }
    }

    @Test func typesEvolveOnlyAsAllowed() async throws {
        try await withTestServer { server in
            let first = try await server.api(.POST, "/types", json: ["kind": "artifact", "name": "Model", "properties": ["a": "INT"]])
            #expect(first.status == 201)
            let same = try await server.api(.POST, "/types", json: ["kind": "artifact", "name": "Model", "properties": ["a": "INT"]])
            #expect(same.status == 200)
            #expect(same.json.int("id") == first.json.int("id"))
            let added = try await server.api(.POST, "/types", json: ["kind": "artifact", "name": "Model", "properties": ["a": "INT", "b": "STRING"]])
            #expect(added.status == 409)
            let allowed = try await server.api(
                .POST, "/types", json: ["kind": "artifact", "name": "Model", "properties": ["b": "STRING"], "can_add_fields": true, "can_omit_fields": true])
            #expect(allowed.status == 200)
            #expect(allowed.json["properties"] == ["a": "INT", "b": "STRING"])
            let retyped = try await server.api(
                .POST, "/types", json: ["kind": "artifact", "name": "Model", "properties": ["a": "STRING"], "can_add_fields": true, "can_omit_fields": true])
            #expect(retyped.status == 409)
            let versioned = try await server.api(.POST, "/types", json: ["kind": "artifact", "name": "Model", "version": "v2"])
            #expect(versioned.status == 201)
            let listed = try await server.api(.GET, "/types?kind=artifact&name=Model")
            #expect(listed.json.array("types").count == 2)
            let fetched = try await server.api(.GET, "/types/\(first.json.int("id"))")
            #expect(fetched.json.string("name") == "Model")
            #expect(try await server.api(.GET, "/types/9999").status == 404)
            let badBase = try await server.api(.POST, "/types", json: ["kind": "execution", "name": "X", "base_type": "DATASET"])
            #expect(badBase.status == 400)
        }
    }

    @Test func nodesAreCreatedOneOrManyAndPatchedWithOptimisticConcurrency() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            let one = try await server.api(
                .POST, "/artifacts",
                json: ["type": "Model", "name": "m1", "properties": ["accuracy": 0.5], "custom_properties": ["n": 5, "x": 5.0]])
            #expect(one.status == 201)
            #expect(one.json["custom_properties"] == ["n": ["int": 5], "x": ["double": 5.0]])
            #expect(one.headers.first(name: "etag") == "\"1\"")
            let many = try await server.api(.POST, "/artifacts", json: ["artifacts": [["type": "Dataset"], ["type": "Dataset", "state": "LIVE"]]])
            #expect(many.json.array("artifacts").map { $0.string("state") } == ["UNKNOWN", "LIVE"])

            let id = one.json.int("id")
            let patched = try await server.api(
                .PATCH, "/artifacts/\(id)", json: ["state": "LIVE", "custom_properties": ["n": nil, "note": "ok"]],
                headers: [("If-Match", "\"1\"")])
            #expect(patched.status == 200)
            #expect(patched.json["custom_properties"] == ["note": ["string": "ok"], "x": ["double": 5.0]])
            #expect(patched.json.int("revision") == 2)
            let stale = try await server.api(.PATCH, "/artifacts/\(id)", json: ["state": "DELETED"], headers: [("If-Match", "\"1\"")])
            #expect(stale.status == 412)
            #expect(try await server.api(.GET, "/artifacts/\(id)").json.string("state") == "LIVE")
            let undeclared = try await server.api(.PATCH, "/artifacts/\(id)", json: ["properties": ["loss": 1.0]])
            #expect(undeclared.status == 400)
            #expect(undeclared.errorMessage.contains("declares no property 'loss'"))
            #expect(try await server.api(.PATCH, "/artifacts/999999", json: ["state": "LIVE"]).status == 404)
        }
    }

    @Test func listsPageStablyAcrossInsertsAndRejectBadPaging() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            let batch: [JSON] = (0..<25).map { ["type": "Dataset", "uri": .string("s3://d/\($0)")] }
            _ = try await server.api(.POST, "/artifacts", json: ["artifacts": .array(batch)])
            var seen: [Int64] = []
            var token: String?
            repeat {
                let query = "/artifacts?page_size=10&order_by=id%20desc" + (token.map { "&page_token=\($0)" } ?? "")
                let page = try await server.api(.GET, query)
                #expect(page.status == 200)
                seen += page.json.array("artifacts").map { $0.int("id") }
                token = page.json.string("next_page_token")
                // Inserts between pages must neither repeat nor skip rows of the listing already begun.
                _ = try await server.api(.POST, "/artifacts", json: ["type": "Dataset"])
            } while token != nil
            #expect(seen.count == 25)
            #expect(seen == seen.sorted(by: >))

            let first = try await server.api(.GET, "/artifacts?page_size=5")
            let foreign = first.json.string("next_page_token")!
            #expect(try await server.api(.GET, "/artifacts?page_size=5&order_by=create_time&page_token=\(foreign)").status == 400)
            #expect(try await server.api(.GET, "/artifacts?page_token=bogus").status == 400)
            #expect(try await server.api(.GET, "/artifacts?page_size=1001").status == 400)
            #expect(try await server.api(.GET, "/artifacts?order_by=colour").status == 400)
            let byTime = try await server.api(.GET, "/artifacts?page_size=100&order_by=create_time")
            #expect(byTime.json.array("artifacts").count == 25 + 3, "the 25 listed plus one inserted per page")
            let byType = try await server.api(.GET, "/artifacts?type=Model")
            #expect(byType.json.array("artifacts").isEmpty)
        }
    }

    @Test func linksAreIdempotentReadableFromBothSidesAndParentCyclesAreRejected() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            let contexts = try await server.api(
                .POST, "/contexts", json: ["contexts": [["type": "Pipeline", "name": "a"], ["type": "Run", "name": "b"], ["type": "Run", "name": "c"]]])
            let ids = contexts.json.array("contexts").map { $0.int("id") }
            let artifact = try await server.api(.POST, "/artifacts", json: ["type": "Dataset"]).json.int("id")
            let execution = try await server.api(.POST, "/executions", json: ["type": "Trainer"]).json.int("id")
            for _ in 0..<2 {
                #expect(try await server.api(.PUT, "/contexts/\(ids[0])/artifacts/\(artifact)").status == 200)
                #expect(try await server.api(.PUT, "/contexts/\(ids[0])/executions/\(execution)").status == 200)
            }
            #expect(try await server.api(.GET, "/artifacts/\(artifact)/contexts").json.array("contexts").map { $0.int("id") } == [ids[0]])
            #expect(try await server.api(.GET, "/executions/\(execution)/contexts").json.array("contexts").count == 1)
            #expect(try await server.api(.PUT, "/contexts/\(ids[1])/parents/\(ids[0])").status == 200)
            #expect(try await server.api(.PUT, "/contexts/\(ids[2])/parents/\(ids[1])").status == 200)
            let cycle = try await server.api(.PUT, "/contexts/\(ids[0])/parents/\(ids[2])")
            #expect(cycle.status == 409)
            #expect(cycle.errorMessage.contains("cycle"))
            #expect(try await server.api(.GET, "/contexts/\(ids[1])/parents").json.array("contexts").map { $0.int("id") } == [ids[0]])
            #expect(try await server.api(.GET, "/contexts/\(ids[1])/children").json.array("contexts").map { $0.int("id") } == [ids[2]])
            #expect(try await server.api(.PUT, "/contexts/\(ids[0])/artifacts/99999").status == 404)
            #expect(try await server.api(.GET, "/contexts/99999/artifacts").status == 404)

            let events = try await server.api(
                .POST, "/events", json: ["events": [["artifact_id": .int(artifact), "execution_id": .int(execution), "type": "INPUT", "path": [["key": "examples"]]]]])
            #expect(events.status == 201)
            let duplicate = try await server.api(
                .POST, "/events", json: ["events": [["artifact_id": .int(artifact), "execution_id": .int(execution), "type": "INPUT"]]])
            #expect(duplicate.status == 409)
            let listed = try await server.api(.GET, "/events?artifact_id=\(artifact)")
            #expect(listed.json.array("events").first?["path"] == [["key": "examples"]])
        }
    }
}
