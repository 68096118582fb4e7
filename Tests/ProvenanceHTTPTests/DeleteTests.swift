import Foundation
import ProvenanceCore
import ProvenanceTestSupport
import Testing

/// DELETE of artifacts, executions and contexts: the node goes, a tombstone says who deleted it and when, and
/// lineage walks go on through it and say so.
@Suite struct DeleteTests {
    @Test func walksGoThroughDeletedNodesAndSaySo() async throws {
        try await withTestServer { server in
            let maker = TokenMaker(server: server)
            let admin = try await maker.make("admin", in: ["*"])
            let writer = server.with(token: try await maker.make("writer", name: "cleaner", by: admin))
            let reader = server.with(token: try await maker.make("reader", by: admin))
            let g = try await TrainingGraph.build(writer)
            #expect(try await reader.api(.DELETE, "/artifacts/\(g["t1"])").status == 403)
            let deleted = try await writer.api(.DELETE, "/artifacts/\(g["t1"])")
            #expect(deleted.status == 200, "\(deleted.text)")
            #expect(deleted.json["deleted"] == true)
            #expect(deleted.json.string("deleted_by") == "cleaner")
            #expect(deleted.json.string("name") == "t1")
            #expect(try await writer.api(.DELETE, "/executions/\(g["x1"])").status == 200)

            // Reads name who deleted it; a second delete is the same 404.
            for reply in [
                try await reader.api(.GET, "/artifacts/\(g["t1"])"), try await writer.api(.DELETE, "/artifacts/\(g["t1"])"),
            ] {
                #expect(reply.status == 404)
                #expect(reply.errorMessage.contains("artifact \(g["t1"]) was deleted by 'cleaner' at"), "\(reply.text)")
            }
            #expect(try await reader.api(.GET, "/artifacts").json.array("artifacts").allSatisfy { $0.int("id") != g["t1"] })

            // Provenance still reaches d1, through the deleted transform and its output, and says which are gone.
            let provenance = try await reader.api(.GET, "/artifacts/\(g["m1"])/provenance")
            #expect(provenance.json.array("artifacts").map { $0["artifact"]!.int("id") } == [g["d2"], g["d1"]])
            let gone = provenance.json.array("deleted")
            #expect(Set(gone.map { "\($0.string("kind")!):\($0.int("id"))" }) == ["artifact:\(g["t1"])", "execution:\(g["x1"])"])
            #expect(gone.allSatisfy { $0["deleted"] == true && $0.string("deleted_by") == "cleaner" })
            // So does the subgraph: the deleted nodes have hops, and are listed as deleted rather than as nodes.
            let subgraph = try await reader.api(
                .POST, "/lineage:query", json: ["starting_artifacts": ["ids": [.int(g["d1"])]], "direction": "downstream"])
            #expect(subgraph.status == 200, "\(subgraph.text)")
            #expect(subgraph.json.array("artifacts").contains { $0.int("id") == g["m2"] })
            #expect(!subgraph.json.array("artifacts").contains { $0.int("id") == g["t1"] })
            #expect(Set(subgraph.json.array("deleted").map { $0.int("id") }) == [g["t1"], g["x1"]])

            // An answer that passes no deleted node has no "deleted" member at all.
            #expect(try await reader.api(.GET, "/artifacts/\(g["m1"])/results").json["deleted"] == nil)
            // Deleting a context drops its links, not its nodes.
            #expect(try await writer.api(.DELETE, "/contexts/\(g["train"])").status == 200)
            #expect(try await reader.api(.GET, "/artifacts/\(g["m1"])/contexts").json.array("contexts").isEmpty)
            #expect(try await reader.api(.GET, "/artifacts/\(g["m1"])").status == 200)
            // Every delete is in the audit log.
            let audit = try await server.with(token: admin).request(.GET, "/api/v1/audit")
            let actions = audit.json.array("entries").compactMap { $0.string("action") }
            #expect(["artifact.delete", "execution.delete", "context.delete"].allSatisfy(actions.contains), "\(actions)")
            // A write naming a deleted node is refused as naming a node that does not exist.
            let late = try await writer.api(
                .POST, "/events", json: ["events": [["artifact_id": .int(g["t1"]), "execution_id": .int(g["x2"]), "type": "INPUT"]]])
            #expect(late.status == 404, "\(late.text)")
        }
    }

    @Test func nodesTheEngineStillNeedsAreKeptAndDeletedOutputsAreNotReusedFromTheCache() async throws {
        try await withTestServer { server in
            try await createOneStepPipeline(server)
            let first = try await server.api(.POST, "/runs", json: ["pipeline": "p"])
            #expect(first.status == 201)
            let lease = try #require(try await leaseOneTask(server).json.array("leases").first)
            let execution = try #require(lease["execution_id"]).intValue
            let running = try await server.api(.DELETE, "/executions/\(execution)")
            #expect(running.status == 412)
            #expect(running.errorMessage.contains("which is still running"), "\(running.text)")
            let pipelineContext = try #require(try await server.api(.GET, "/pipelines/p").json["latest"]).int("context_id")
            let held = try await server.api(.DELETE, "/contexts/\(pipelineContext)")
            #expect(held.status == 412)
            #expect(held.errorMessage.contains("the context of pipeline 'p'"), "\(held.text)")
            let done = try await server.request(.POST, "/api/v1/leases:complete", json: [
                "token": lease["token"] ?? .null, "outputs": ["data": ["uri": "/tmp/data"]],
            ])
            #expect(done.status == 200, "\(done.text)")
            let output = try await server.api(.GET, "/runs/\(first.json.int("id"))/tasks")
            let artifact = try #require(output.json.array("tasks").first?.array("outputs").first).int("artifact_id")
            // The same run again is a cache hit; once its output is deleted, the step runs anew.
            let cached = try await server.api(.POST, "/runs", json: ["pipeline": "p"])
            try await eventually("the second run to be served from the cache") {
                try await server.api(.GET, "/runs/\(cached.json.int("id"))").json.string("state") == "SUCCEEDED"
            }
            #expect(try await server.api(.DELETE, "/artifacts/\(artifact)").status == 200)
            let fresh = try await server.api(.POST, "/runs", json: ["pipeline": "p"])
            let tasks = try await server.api(.GET, "/runs/\(fresh.json.int("id"))/tasks")
            #expect(tasks.json.array("tasks").first?.string("state") != "CACHED", "\(tasks.text)")
        }
    }
}
