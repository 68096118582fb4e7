import Foundation
import ProvenanceCore
import ProvenanceTestSupport
import Testing

/// What a hostile probe of the engine found, each now a clear 4xx (or a recorded failure) instead of a server that
/// grows without bound, a path outside its roots, an injected filter or a value silently lost.
@Suite struct HostileInputTests {
    func yaml(_ server: TestServer, _ path: String, _ text: String) async throws -> TestServer.Reply {
        try await server.request(
            .POST, "/api/v1/namespaces/default/\(path)", rawBody: Array(text.utf8), headers: [("Content-Type", "application/yaml")])
    }

    @Test func aYAMLAliasBombIsRefusedAtOnce() async throws {
        var bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            bomb += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        #expect(bomb.utf8.count < 1000)
        try await withTestServer { server in
            for path in ["components", "pipelines"] {
                let reply = try await yaml(server, path, bomb)
                #expect(reply.status == 400, "\(path): \(reply.text)")
                #expect(reply.errorMessage.contains("YAML anchors and aliases are not allowed in specs"), "\(reply.errorMessage)")
            }
            // One alias alone is refused too, and a document without any still works.
            let aliased = try await yaml(server, "components", """
                name: a
                version: "1"
                outputs: {out: &t Dataset, other: *t}
                run: {command: [x, "{{outputs.out.uri}}"]}
                """)
            #expect(aliased.status == 400)
            #expect(aliased.json["error"]?["details"]?["field"] == "outputs.other", "\(aliased.text)")
        }
    }

    @Test func yamlNaNAndInfinityAreRefusedWhereTheyStand() async throws {
        try await withTestServer { server in
            let cases: [(String, String)] = [
                ("name: c\nversion: \"1\"\noutputs: {out: Dataset}\nparameters: {rate: {type: DOUBLE, default: .nan}}\nrun: {command: [x, \"{{outputs.out.uri}}\"]}\n", "parameters.rate.default"),
                ("name: c\nversion: \"1\"\noutputs: {out: Dataset}\nresources: {cpu: .inf}\nrun: {command: [x, \"{{outputs.out.uri}}\"]}\n", "resources.cpu"),
            ]
            for (text, field) in cases {
                let reply = try await yaml(server, "components", text)
                #expect(reply.status == 400, "\(reply.text)")
                #expect(reply.json["error"]?["details"]?["field"] == .string(field), "\(reply.text)")
                #expect(reply.errorMessage.contains("is not a number JSON can carry"), "\(reply.text)")
            }
        }
    }

    @Test func namespaceNamesAreSafePathSegments() async throws {
        try await withTestServer { server in
            for name in [".", "..", "...", "a..b", "-x", ".hidden"] {
                let reply = try await server.request(.POST, "/api/v1/namespaces", json: ["name": .string(name)])
                #expect(reply.status == 400, "\(name)")
                #expect(reply.errorMessage.contains("starting with a letter or digit, without '..'"), "\(reply.text)")
            }
            #expect(try await server.request(.POST, "/api/v1/namespaces", json: ["name": "team.search-2"]).status == 201)
        }
    }

    /// `nobody" OR uri = "s3://EVIL` once widened the selector's filter to bind another customer's artifact.
    @Test func selectorParametersAreBoundAsValuesNeverAsFilterText() async throws {
        try await withTestServer { server in
            #expect(try await server.api(.POST, "/types", json: ["kind": "artifact", "name": "Dataset"]).status == 201)
            for (uri, customer) in [("s3://acme/data", "acme"), ("s3://EVIL", "other"), ("s3://quote/data", #"it's "q" \n"#)] {
                let reply = try await server.api(.POST, "/artifacts", json: [
                    "type": "Dataset", "uri": .string(uri), "custom_properties": ["customer": ["string": .string(customer)]],
                ])
                #expect(reply.status == 201, "\(reply.text)")
            }
            #expect(try await server.api(.POST, "/components", json: [
                "name": "consume", "version": "1", "inputs": ["data": "Dataset"], "run": ["command": ["cat", "{{inputs.data.uri}}"]],
            ]).status == 201)
            for (name, filter) in [
                ("double", #"custom_properties.customer.string_value = "{{parameters.customer}}""#),
                ("single", "custom_properties.customer.string_value = '{{parameters.customer}}'"),
                ("like", "uri LIKE '%{{parameters.customer}}%'"),
            ] {
                let reply = try await server.api(.POST, "/pipelines", json: [
                    "name": .string(name), "parameters": ["customer": "STRING"],
                    "steps": ["c": ["component": "consume@1", "inputs": ["data": [
                        "select": ["type": "Dataset", "scope": "namespace", "filter": .string(filter)], "optional": true,
                    ]]]],
                ])
                #expect(reply.status == 201, "\(reply.text)")
            }
            func boundURI(_ pipeline: String, _ customer: String) async throws -> String? {
                let run = try await server.api(.POST, "/runs", json: ["pipeline": .string(pipeline), "parameters": ["customer": .string(customer)]])
                #expect(run.status == 201, "\(run.text)")
                let tasks = try await server.api(.GET, "/runs/\(run.json.int("id"))/tasks")
                return tasks.json.array("tasks").first?.array("inputs").first?.string("uri")
            }
            for pipeline in ["double", "single"] {
                #expect(try await boundURI(pipeline, "acme") == "s3://acme/data")
                #expect(try await boundURI(pipeline, #"nobody" OR uri = "s3://EVIL"#) == nil)
                #expect(try await boundURI(pipeline, "nobody' OR uri = 's3://EVIL") == nil)
                #expect(try await boundURI(pipeline, #"it's "q" \n"#) == "s3://quote/data")
            }
            // In a LIKE pattern the value matches literally: % and _ are not wildcards.
            #expect(try await boundURI("like", "EVIL") == "s3://EVIL")
            #expect(try await boundURI("like", "%") == nil)
            // A text parameter outside quotes cannot be bound, and says so when the pipeline is applied.
            let bare = try await server.api(.POST, "/pipelines", json: [
                "name": "bare", "parameters": ["customer": "STRING"],
                "steps": ["c": ["component": "consume@1", "inputs": ["data": [
                    "select": ["type": "Dataset", "filter": "custom_properties.customer.string_value = {{parameters.customer}}"],
                ]]]],
            ])
            #expect(bare.status == 400)
            #expect(bare.json["error"]?["details"]?["field"] == "steps.c.inputs.data.select.filter", "\(bare.text)")
        }
    }

    @Test func labelsAFilterCouldNeverFindAreRefusedAndTheFilterIsParsedStrictly() async throws {
        try await withTestServer { server in
            try await createOneStepPipeline(server)
            for labels in [["team": "a,b"], ["team": "x=y"], ["a,b": "c"]] as [JSON] {
                let reply = try await server.api(.POST, "/runs", json: ["pipeline": "p", "labels": labels])
                #expect(reply.status == 400, "\(labels)")
                #expect(reply.errorMessage.contains("may not contain ',' or '='"), "\(reply.text)")
            }
            #expect(try await server.api(.POST, "/runs", json: ["pipeline": "p", "labels": ["team": "search"]]).status == 201)
            for query in ["labels=,,", "labels=", "labels=team", "labels=team=search,,", "labels==x", "labels=team=a,team=b"] {
                let reply = try await server.api(.GET, "/runs?\(query)")
                #expect(reply.status == 400, "\(query)")
                #expect(reply.json["error"]?["details"]?["field"] == "labels", "\(query): \(reply.text)")
            }
            #expect(try await server.api(.GET, "/runs?labels=team=search").json.array("runs").count == 1)
        }
    }

    @Test func oversizedParametersAreRefusedNamingTheLimit() async throws {
        try await withTestServer { server in
            #expect(try await server.api(.POST, "/components", json: PipelineBadInputTests.produce).status == 201)
            #expect(try await server.api(.POST, "/pipelines", json: [
                "name": "p", "parameters": ["blob": "STRING"],
                "steps": ["m": ["component": "produce@1", "parameters": ["rows": 3]]],
            ]).status == 201)
            let big = String(repeating: "x", count: RunRequest.maximumParameterBytes)
            let reply = try await server.api(.POST, "/runs", json: ["pipeline": "p", "parameters": ["blob": .string(big)]])
            #expect(reply.status == 400)
            #expect(reply.errorMessage.contains("may take at most \(RunRequest.maximumParameterBytes)"), "\(reply.errorMessage)")
            #expect(try await server.api(.GET, "/runs").json.array("runs").isEmpty)
        }
    }

    @Test func smallerMistakesAreRefusedAtOnceWithTheirReason() async throws {
        try await withTestServer { server in
            let empty = try await server.api(.POST, "/components", json: [
                "name": "e", "version": "1", "outputs": ["out": "Dataset"], "run": ["command": [""]],
            ])
            #expect(empty.status == 400)
            #expect(empty.json["error"]?["details"]?["field"] == "run.command[0]", "\(empty.text)")
            for (capacity, field) in [
                (["slots": 1, "memory_mb": 1_000_000_000_000] as JSON, "capacity.memory_mb"),
                (["slots": 1_000_000_000_000], "capacity.slots"),
                (["slots": 1, "cpu": 1e12], "capacity.cpu"),
                (["slots": 1, "gpu": -1], "capacity.gpu"),
            ] {
                let reply = try await server.request(.POST, "/api/v1/executors", json: ["name": "e", "capacity": capacity])
                #expect(reply.status == 400, "\(capacity)")
                #expect(reply.json["error"]?["details"]?["field"] == .string(field), "\(reply.text)")
            }
        }
    }

    @Test func logLinesAfterAnAttemptEndedAreRefused() async throws {
        try await withTestServer { server in
            try await createOneStepPipeline(server)
            #expect(try await server.api(.POST, "/runs", json: ["pipeline": "p"]).status == 201)
            let leases = try await leaseOneTask(server)
            let token = try #require(leases.json.array("leases").first?.string("token"))
            let line: JSON = ["token": .string(token), "lines": [["stream": "stdout", "text": "working"]]]
            #expect(try await server.request(.POST, "/api/v1/leases:logs", json: line).status == 204)
            let done = try await server.request(.POST, "/api/v1/leases:complete", json: [
                "token": .string(token), "outputs": ["data": ["uri": "/tmp/data"]],
            ])
            #expect(done.status == 200, "\(done.text)")
            let late = try await server.request(.POST, "/api/v1/leases:logs", json: line)
            #expect(late.status == 409)
            #expect(late.errorMessage.contains("has ended; its log takes no more lines"), "\(late.text)")
        }
    }

    @Test func outputLocationsAStepClaimsAreAbsoluteWithoutParentSegments() throws {
        for uri in ["s3://bucket/model", "/data/models/m1", "file:///tmp/x", "gs://b/a..b"] {
            #expect(throws: Never.self) { try OutputReport.checkURI(uri, field: "uri") }
        }
        for uri in ["../../x", "relative/path", "s3://bucket/../other", "/data/../etc/passwd", ""] {
            #expect(throws: ProvenanceError.self, "\(uri)") { try OutputReport.checkURI(uri, field: "uri") }
        }
    }
}
