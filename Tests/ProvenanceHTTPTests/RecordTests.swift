import ProvenanceCore
import ProvenanceTestSupport
import Testing

@Suite struct RecordTests {
    @Test func executionRecordWritesEverythingAndReadsBack() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            let reply = try await server.api(.POST, "/executions:record", json: trainingRecord())
            #expect(reply.status == 201)
            let execution = reply.json.int("execution_id")
            let artifactIDs = reply.json.array("artifact_ids")
            #expect(artifactIDs.count == 2)
            #expect(reply.json.array("context_ids").count == 1)

            let events = try await server.api(.GET, "/executions/\(execution)/events")
            #expect(events.json.array("events").map { $0.string("type") } == ["INPUT", "OUTPUT"])
            let contextID = reply.json.array("context_ids")[0]
            let attributed = try await server.api(.GET, "/contexts/\(JSONWriter.string(contextID))/artifacts")
            #expect(attributed.json.array("artifacts").count == 2)
            let associated = try await server.api(.GET, "/contexts/\(JSONWriter.string(contextID))/executions")
            #expect(associated.json.array("executions").map { $0.int("id") } == [execution])
            let model = try await server.api(.GET, "/artifacts/\(JSONWriter.string(artifactIDs[1]))")
            #expect(model.json["properties"] == ["accuracy": ["double": 0.93]])
            #expect(model.json.string("type") == "Model")
        }
    }

    @Test func aSecondRunReusesThePipelineContextAndTheDatasetByExternalID() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            let first = try await server.api(.POST, "/executions:record", json: trainingRecord())
            let second = try await server.api(.POST, "/executions:record", json: trainingRecord())
            #expect(second.status == 201)
            #expect(first.json["context_ids"] == second.json["context_ids"])
            #expect(first.json.array("artifact_ids")[0] == second.json.array("artifact_ids")[0])
            #expect(first.json.array("artifact_ids")[1] != second.json.array("artifact_ids")[1])
        }
    }

    @Test func withReuseOffAnExistingContextIsAConflict() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            _ = try await server.api(.POST, "/executions:record", json: trainingRecord())
            var record = trainingRecord(dataset: "ds-2")
            if case .object(var members) = record {
                members.append((key: "options", value: ["reuse_context_if_already_exist": false]))
                record = .object(members)
            }
            let reply = try await server.api(.POST, "/executions:record", json: record)
            #expect(reply.status == 409)
            // The field of the request, in the API's words: no table columns or namespace ids.
            #expect(reply.errorMessage == "contexts[0].name: a context of this type with name 'p1' already exists")
            #expect(reply.json["error"]?["details"]?["field"] == "contexts[0].name")
        }
    }

    @Test func aFailedExecutionRecordLeavesNothingBehind() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            // The output refers to an artifact that does not exist: the execution, the input and the context
            // that precede it in the same write must not be stored either.
            var record = trainingRecord()
            if case .object(var members) = record {
                members[2] = (key: "outputs", value: [["id": 424242]])
                record = .object(members)
            }
            let reply = try await server.api(.POST, "/executions:record", json: record)
            #expect(reply.status == 404)
            #expect(reply.errorMessage == "artifact 424242 not found")
            for kind in ["artifacts", "executions", "contexts"] {
                let list = try await server.api(.GET, "/\(kind)")
                #expect(list.json.array(kind).isEmpty, "\(kind) left behind")
            }
        }
    }

    @Test func lineageRecordWritesABatchWithExplicitLinks() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            var artifacts: [JSON] = []
            var executions: [JSON] = []
            var contexts: [JSON] = []
            var events: [JSON] = []
            var attributions: [JSON] = []
            var associations: [JSON] = []
            for index in 0..<10 {
                let base = Int64(index * 2)
                artifacts.append(["type": "Dataset", "uri": .string("s3://d/\(index)")])
                artifacts.append(["type": "Model", "uri": .string("s3://m/\(index)")])
                executions.append(["type": "Trainer"])
                contexts.append(["type": "Run", "name": .string("run-\(index)")])
                events.append(["artifact_index": .int(base), "execution_index": .int(Int64(index)), "type": "INPUT"])
                events.append(["artifact_index": .int(base + 1), "execution_index": .int(Int64(index)), "type": "OUTPUT"])
                attributions.append(["context_index": .int(Int64(index)), "artifact_index": .int(base)])
                attributions.append(["context_index": .int(Int64(index)), "artifact_index": .int(base + 1)])
                associations.append(["context_index": .int(Int64(index)), "execution_index": .int(Int64(index))])
            }
            let reply = try await server.api(
                .POST, "/lineage:record",
                json: [
                    "artifacts": .array(artifacts), "executions": .array(executions), "contexts": .array(contexts),
                    "events": .array(events), "attributions": .array(attributions), "associations": .array(associations),
                ])
            #expect(reply.status == 201)
            let artifactIDs = reply.json.array("artifact_ids")
            #expect(artifactIDs.count == 20)
            let ids = artifactIDs.map { id -> Int64 in if case .int(let value) = id { value } else { -1 } }
            #expect(ids == ids.sorted() && Set(ids).count == 20, "ids increase in request order")
            let run = reply.json.array("context_ids")[3]
            let inRun = try await server.api(.GET, "/contexts/\(JSONWriter.string(run))/artifacts")
            #expect(inRun.json.array("artifacts").map { $0.string("uri") } == ["s3://d/3", "s3://m/3"])
        }
    }

    @Test func aFailedLineageRecordLeavesNothingBehind() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            // Two new models with the same name: the unique constraint fails the whole statement.
            let reply = try await server.api(
                .POST, "/lineage:record",
                json: [
                    "artifacts": [["type": "Model", "name": "m"], ["type": "Dataset"], ["type": "Model", "name": "m"]],
                    "executions": [["type": "Trainer"]],
                    "contexts": [["type": "Run", "name": "r"]],
                    "events": [["artifact_index": 1, "execution_index": 0, "type": "INPUT"]],
                ])
            #expect(reply.status == 409)
            #expect(reply.errorMessage == "artifacts[2].name: an artifact of this type with name 'm' already exists")
            for kind in ["artifacts", "executions", "contexts"] {
                #expect(try await server.api(.GET, "/\(kind)").json.array(kind).isEmpty, "\(kind) left behind")
            }
        }
    }

    @Test func concurrentRecordsOfOnePipelineShareOneContext() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        try await server.api(.POST, "/executions:record", json: trainingRecord(dataset: "ds-\(index)", pipeline: "shared")).status
                    }
                }
                for try await status in group { #expect(status == 201) }
            }
            let contexts = try await server.api(.GET, "/contexts")
            #expect(contexts.json.array("contexts").count == 1)
            let executions = try await server.api(.GET, "/contexts/\(contexts.json.array("contexts")[0].int("id"))/executions?page_size=100")
            #expect(executions.json.array("executions").count == 16)
        }
    }
}
