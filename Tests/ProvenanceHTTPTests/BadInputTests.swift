import ProvenanceCore
import ProvenanceTestSupport
import Testing

@Suite struct BadInputTests {
    @Test func clientMistakesGetA400NamingTheField() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            let cases: [(JSON, String)] = [
                (["type": "Model", "state": "SHINY"], "state: unknown state 'SHINY'"),
                (["type": "Model", "properties": ["accuracy": "high"]], "properties.accuracy: expected a value of type DOUBLE, got STRING"),
                (["type": "Model", "uir": "s3://typo"], "uir: unknown field"),
                (["type": "Model", "name": ""], "name: must not be empty"),
                (["uri": "s3://no-type"], "type_id: a new artifact needs type_id"),
                (["type": "Model", "custom_properties": ["list": [1, 2]]], "custom_properties.list: a property value cannot be an array"),
            ]
            for (body, message) in cases {
                let reply = try await server.api(.POST, "/artifacts", json: body)
                #expect(reply.status == 400, "\(body)")
                #expect(reply.errorCode == "invalid_argument")
                #expect(reply.errorMessage.contains(message), "\(reply.errorMessage)")
            }
            let malformed = try await server.request(.POST, "/api/v1/namespaces/default/artifacts", rawBody: Array("{\"type\": ".utf8))
            #expect(malformed.status == 400)
            #expect(malformed.errorMessage.hasPrefix("malformed JSON at line 1"))
            let badEvent = try await server.api(
                .POST, "/executions:record", json: ["execution": ["type": "Trainer"], "inputs": [["artifact": ["type": "Dataset"], "event_type": "OUTPUT"]]])
            #expect(badEvent.status == 400)
            #expect(try await server.api(.GET, "/artifacts/abc").status == 400)
            var record = trainingRecord()
            record = .object(record.objectMembers.map { member in
                member.key == "outputs" ? (key: "outputs", value: [["type": "Model", "properties": ["accuracy": "high"]]]) : member
            })
            let badOutput = try await server.api(.POST, "/executions:record", json: record)
            #expect(badOutput.status == 400)
            #expect(badOutput.errorMessage.hasPrefix("outputs[0].properties.accuracy:"), "\(badOutput.errorMessage)")
            let badExecution = try await server.api(
                .POST, "/executions:record", json: ["execution": ["type": "Trainer", "properties": ["epochs": "ten"]]])
            #expect(badExecution.errorMessage.hasPrefix("execution.properties.epochs:"), "\(badExecution.errorMessage)")
        }
    }

    @Test func lineageRecordErrorsNameTheElementTheyAreIn() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            let model: JSON = ["type": "Model"]
            let trainer: JSON = ["type": "Trainer"]
            let run: JSON = ["type": "Run", "name": "r"]
            let cases: [(JSON, String)] = [
                (["artifacts": [model, ["type": "Model", "properties": ["accuracy": "high"]]]], "artifacts[1].properties.accuracy: expected a value of type DOUBLE"),
                (["executions": [trainer, ["type": "Trainer", "last_known_state": "DONE"]]], "executions[1].last_known_state: unknown state 'DONE'"),
                (["contexts": [run, "oops"]], "contexts[1]: expected an object, got a string"),
                (["artifacts": [model], "executions": [trainer], "events": [["artifact_index": 0, "execution_index": 3, "type": "INPUT"]]], "events[0].execution_index: 3 is not an index"),
                (["artifacts": [model], "contexts": [run], "attributions": [["context_index": 0, "artifact_index": 0], ["context_index": "x", "artifact_index": 0]]], "attributions[1].context_index: expected an integer"),
                (["executions": [trainer], "contexts": [run], "associations": [["context_index": 0]]], "associations[0]: needs context_index and execution_index"),
                (["artifacts": [["type": "Model", "custom_properties": ["": 1]]]], "artifacts[0].custom_properties: must not be empty"),
            ]
            for (body, message) in cases {
                let reply = try await server.api(.POST, "/lineage:record", json: body)
                #expect(reply.status == 400, "\(body)")
                #expect(reply.errorMessage.hasPrefix(message), "\(reply.errorMessage)")
            }
            #expect(try await server.api(.GET, "/artifacts").json.array("artifacts").isEmpty, "nothing of a rejected write is stored")
        }
    }

    @Test func unknownThingsAre404AndDuplicatesAre409() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            #expect(try await server.api(.GET, "/artifacts/12345").status == 404)
            #expect(try await server.api(.POST, "/artifacts", json: ["type": "Nope"]).status == 404)
            #expect(try await server.api(.POST, "/artifacts", json: ["type_id": 9999]).status == 404)
            #expect(try await server.api(.GET, "/no-such-route").errorCode == "not_found")
            _ = try await server.api(.POST, "/artifacts", json: ["type": "Model", "name": "m", "external_id": "e"])
            let sameName = try await server.api(.POST, "/artifacts", json: ["type": "Model", "name": "m"])
            #expect(sameName.status == 409)
            let sameExternal = try await server.api(.POST, "/artifacts", json: ["type": "Dataset", "external_id": "e"])
            #expect(sameExternal.status == 409)
            #expect(sameExternal.errorMessage.contains("external_id"))
        }
    }

    @Test func bodiesOverTheLimitAre413() async throws {
        try await withTestServer(configure: { $0.maximumBodyBytes = 1024 }) { server in
            let big: JSON = ["type": "Model", "uri": .string(String(repeating: "x", count: 4096))]
            let reply = try await server.api(.POST, "/artifacts", json: big)
            #expect(reply.status == 413)
            #expect(reply.errorCode == "payload_too_large")
        }
    }
}
