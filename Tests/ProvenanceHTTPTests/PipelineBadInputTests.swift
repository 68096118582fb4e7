import ProvenanceCore
import ProvenanceTestSupport
import Testing

/// Components, pipelines, runs and the executor protocol over HTTP, as a client gets them wrong: each mistake is a
/// 4xx naming what is wrong, and nothing is written.
@Suite struct PipelineBadInputTests {
    static let produce: JSON = [
        "name": "produce", "version": "1", "outputs": ["data": "Dataset"], "parameters": ["rows": "INT"],
        "run": ["command": ["produce", "{{parameters.rows}}", "{{outputs.data.uri}}"]],
    ]
    static let train: JSON = [
        "name": "train", "version": "1", "inputs": ["data": "Dataset"], "outputs": ["model": "Model"],
        "run": ["command": ["train", "{{inputs.data.uri}}", "{{outputs.model.uri}}"]],
    ]

    func register(_ server: TestServer) async throws {
        for component in [Self.produce, Self.train] {
            #expect(try await server.api(.POST, "/components", json: component).status == 201)
        }
    }

    @Test func invalidSpecsAre400WithThePathOfTheOffendingField() async throws {
        try await withTestServer { server in
            try await register(server)
            let make: JSON = ["component": "produce@1", "parameters": ["rows": 3]]
            let cases: [(JSON, String)] = [
                (["name": "p", "steps": ["m": make,
                                         "a": ["component": "train@1", "inputs": ["data": "m.data"], "after": ["b"]],
                                         "b": ["component": "train@1", "inputs": ["data": "m.data"], "after": ["a"]]]],
                 "steps wait for each other in a cycle: "),
                (["name": "p", "steps": ["a": ["component": "train@1", "inputs": ["data": "nope.data"]]]],
                 "steps.a.inputs.data: 'nope' is not another step of this pipeline"),
                (["name": "p", "steps": ["m": make, "a": ["component": "train@1", "inputs": ["data": "m.rows"]]]],
                 "steps.a.inputs.data: step 'm' (produce@1) has no output 'rows'"),
                (["name": "p", "steps": ["a": ["component": "missing@2"]]], "steps.a.component: no component missing@2 is registered"),
                (["name": "p", "steps": ["m": make, "t": ["component": "train@1", "inputs": ["data": "m.data"]],
                                         "u": ["component": "train@1", "inputs": ["data": "t.model"]]]],
                 "steps.u.inputs.data: "),
                (["name": "p", "steps": ["m": ["component": "produce@1"]]], "steps.m.parameters.rows: is required by component produce@1 and not given"),
                (["name": "p", "steps": ["m": ["component": "produce@1", "parameters": ["rows": "many"]]]],
                 "steps.m.parameters.rows: expected a value of type INT"),
                (["name": "p", "steps": ["m": make, "t": ["component": "train@1", "inputs": ["data": "m.data"], "after": ["zz"]]]],
                 "steps.t.after[0]: 'zz' is not another step of this pipeline"),
                (["name": "p", "steps": [:]], "steps: a pipeline needs at least one step"),
                (["name": "p", "steps": ["m": make], "colour": "red"], "colour: unknown field"),
            ]
            for (spec, message) in cases {
                let reply = try await server.api(.POST, "/pipelines", json: spec)
                #expect(reply.status == 400, "\(spec)")
                #expect(reply.errorMessage.contains(message), "\(reply.errorMessage)")
            }
            // A type mismatch: a Model fed to an input that takes a Dataset.
            let mismatch = try await server.api(.POST, "/pipelines", json: [
                "name": "p", "steps": ["m": make, "t": ["component": "train@1", "inputs": ["data": "m.data"]],
                                       "u": ["component": "train@1", "inputs": ["data": "t.model"]]],
            ])
            #expect(mismatch.errorMessage.contains("Model") && mismatch.errorMessage.contains("Dataset"), "\(mismatch.errorMessage)")
            #expect(mismatch.json["error"]?["details"]?["field"] == "steps.u.inputs.data")
            let bad = try await server.api(.POST, "/components", json: [
                "name": "c", "version": "1", "run": ["command": ["x", "{{outputs.model.uri}}"]],
            ])
            #expect(bad.status == 400)
            #expect(bad.errorMessage == "run.command[1]: '{{outputs.model.uri}}' names no output of this component")
            let pipelines = try await server.api(.GET, "/pipelines")
            #expect(pipelines.json.array("pipelines").isEmpty)
        }
    }

    @Test func yamlSpecsAreAcceptedAndTheirErrorsSayWhere() async throws {
        try await withTestServer { server in
            try await register(server)
            let yaml = """
                name: daily
                parameters:
                  rows: {type: INT, default: 5}
                steps:
                  make:
                    component: produce@1
                    parameters: {rows: "{{parameters.rows}}"}
                  fit:
                    component: train@1
                    inputs: {data: make.data}
                """
            let created = try await server.request(
                .POST, "/api/v1/namespaces/default/pipelines", rawBody: Array(yaml.utf8), headers: [("Content-Type", "application/yaml")])
            #expect(created.status == 201)
            #expect(created.json["spec"]?["steps"]?["fit"]?["inputs"]?["data"] == "make.data")
            let again = try await server.request(
                .POST, "/api/v1/namespaces/default/pipelines", rawBody: Array(yaml.utf8), headers: [("Content-Type", "application/yaml")])
            #expect(again.status == 200)
            #expect(again.json.string("version") == created.json.string("version"))
            let broken = try await server.request(
                .POST, "/api/v1/namespaces/default/pipelines", rawBody: Array("name: x\nsteps: [a\n".utf8),
                headers: [("Content-Type", "application/yaml")])
            #expect(broken.status == 400)
            #expect(broken.errorMessage.hasPrefix("malformed YAML"), "\(broken.errorMessage)")
        }
    }

    @Test func unknownPipelinesRunsAndTasksAre404AndBadRunRequests400() async throws {
        try await withTestServer { server in
            try await register(server)
            #expect(try await server.api(.POST, "/pipelines", json: [
                "name": "p", "parameters": ["rows": "INT"],
                "steps": ["m": ["component": "produce@1", "parameters": ["rows": "{{parameters.rows}}"]]],
            ]).status == 201)
            #expect(try await server.api(.POST, "/runs", json: ["pipeline": "nope"]).status == 404)
            #expect(try await server.api(.GET, "/runs/999").status == 404)
            #expect(try await server.api(.POST, "/runs/999:cancel").status == 404)
            #expect(try await server.api(.GET, "/tasks/999").status == 404)
            #expect(try await server.api(.GET, "/tasks/999/logs").status == 404)
            #expect(try await server.api(.GET, "/pipelines/nope").status == 404)
            let missing = try await server.api(.POST, "/runs", json: ["pipeline": "p"])
            #expect(missing.status == 400)
            #expect(missing.errorMessage.hasPrefix("parameters.rows:"), "\(missing.errorMessage)")
            let mistyped = try await server.api(.POST, "/runs", json: ["pipeline": "p", "parameters": ["rows": "ten"]])
            #expect(mistyped.status == 400)
            #expect(mistyped.errorMessage.hasPrefix("parameters.rows:"), "\(mistyped.errorMessage)")
            let unknown = try await server.api(.POST, "/runs", json: ["pipeline": "p", "parameters": ["rows": 1, "cols": 2]])
            #expect(unknown.status == 400)
            #expect(unknown.errorMessage.hasPrefix("parameters.cols:"), "\(unknown.errorMessage)")
            #expect(try await server.api(.GET, "/runs").json.array("runs").isEmpty)
        }
    }

    @Test func staleOrForeignLeaseTokensAre409AndWriteNothing() async throws {
        try await withTestServer { server in
            try await register(server)
            #expect(try await server.api(.POST, "/components", json: [
                "name": "flaky", "version": "1", "outputs": ["data": "Dataset"], "retries": ["max_attempts": 3, "backoff": "0s"],
                "run": ["command": ["x", "{{outputs.data.uri}}"]],
            ]).status == 201)
            #expect(try await server.api(.POST, "/pipelines", json: ["name": "p", "steps": ["m": ["component": "flaky@1"]]]).status == 201)
            let run = try await server.api(.POST, "/runs", json: ["pipeline": "p"])
            let executor = try await server.request(.POST, "/api/v1/executors", json: [
                "name": "hand", "capacity": ["slots": 4, "cpu": 4, "memory_mb": 1024],
            ])
            let lease: (Int) async throws -> String = { _ in
                let reply = try await server.request(
                    .POST, "/api/v1/executors/\(executor.json.int("id")):lease",
                    json: ["available": ["slots": 4, "cpu": 4, "memory_mb": 1024], "max_tasks": 1, "wait_ms": 10_000])
                return try #require(reply.json.array("leases").first?.string("token"))
            }
            let stale = try await lease(1)
            // The executor gives the lease back and the task is leased again, with a new token. (A lease that expires
            // goes stale the same way; the store's tests expire one, as only they can choose its duration.)
            let given = try await server.request(.POST, "/api/v1/leases:fail", json: [
                "token": .string(stale), "error": "stopped", "released": true,
            ])
            #expect(given.status == 200)
            let fresh = try await lease(2)
            #expect(fresh != stale)
            let outputs: JSON = ["data": ["uri": "/tmp/out"]]
            let late = try await server.request(.POST, "/api/v1/leases:complete", json: ["token": .string(stale), "outputs": outputs])
            #expect(late.status == 409)
            #expect(late.errorCode == "lease_lost")
            let lateHeartbeat = try await server.request(
                .POST, "/api/v1/executors/\(executor.json.int("id")):heartbeat", json: ["tokens": [.string(stale)]])
            #expect(lateHeartbeat.json.array("leases").first?["held"] == false)
            let parts = fresh.split(separator: ".")
            let forged = "\(parts[0]).\(parts[1]).\(String(repeating: "0", count: parts[2].count))"
            let foreign = try await server.request(.POST, "/api/v1/leases:complete", json: ["token": .string(forged), "outputs": outputs])
            #expect(foreign.status == 409)
            let malformed = try await server.request(.POST, "/api/v1/leases:complete", json: ["token": "garbage", "outputs": outputs])
            #expect(malformed.status == 400)
            // Nothing was written by the refused reports: the task still runs under the fresh lease, with no outputs.
            let runID = run.json.int("id")
            let task = try await server.api(.GET, "/runs/\(runID)").json.array("tasks")[0]
            #expect(task.string("state") == "RUNNING")
            #expect(task.array("outputs").isEmpty)
            let done = try await server.request(.POST, "/api/v1/leases:complete", json: ["token": .string(fresh), "outputs": outputs])
            #expect(done.status == 200)
            let repeated = try await server.request(.POST, "/api/v1/leases:complete", json: ["token": .string(fresh), "outputs": outputs])
            #expect(repeated.status == 200)
            #expect(repeated.json["repeated"] == true)
            let finished = try await server.api(.GET, "/runs/\(runID)").json
            #expect(finished.string("state") == "SUCCEEDED")
            #expect(finished.array("tasks")[0].array("outputs").count == 1)
        }
    }
}
