import ProvenanceCore
import ProvenanceServer
import ProvenanceTestSupport
import Testing

/// Data-triggered schedules: a fire per new artifact that passes the filter, in commit order, none missed however
/// many arrive at once and none handed to two runs; arrivals wait for room under `queue`.
@Suite struct ScheduleDataTriggerTests {
    static let read: JSON = [
        "name": "read", "version": "1", "inputs": ["data": "Clickstream"], "outputs": ["model": "Model"],
        "run": ["command": ["train", "{{inputs.data.uri}}", "{{outputs.model.uri}}"]],
    ]
    static let pipeline: JSON = [
        "name": "on-data", "parameters": ["clickstream": "INT"],
        "steps": ["train": ["component": "read@1", "inputs": ["data": ["parameter": "clickstream"]]]],
    ]

    static func register(_ server: TestServer) async throws {
        #expect(try await server.api(.POST, "/components", json: read).status == 201)
        #expect(try await server.api(.POST, "/pipelines", json: pipeline).status == 201)
    }

    static func ticks(_ server: TestServer, _ name: String) async throws -> [JSON] {
        try await server.api(.GET, "/schedules/\(name)/ticks?page_size=1000").json.array("ticks")
    }

    static func runs(_ server: TestServer, _ name: String) async throws -> [JSON] {
        try await server.api(.GET, "/runs?schedule=\(name)&page_size=1000").json.array("runs")
    }

    @Test func everyNewMatchingArtifactFiresOneRunWithItsId() async throws {
        try await withTestServer(configure: ScheduleTests.fast) { server in
            try await Self.register(server)
            let created = try await server.api(.POST, "/schedules", json: [
                "name": "acme-data", "pipeline": "on-data", "max_concurrency": 100,
                "on_artifact": ["type": "Clickstream", "filter": "custom_properties.customer.string_value = 'acme'", "parameter": "clickstream"],
            ])
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json["spec"]?["overlap"] == "queue" && created.json["spec"]?["catch_up"] == nil)
            // 10 requests at once, each with 6 partitions: half acme's.
            let batches = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for batch in 0..<10 {
                    group.addTask {
                        let artifacts: [JSON] = (0..<6).map { index in
                            ["type": "Clickstream", "uri": .string("s3://clicks/\(batch)/\(index)"),
                             "custom_properties": ["customer": index % 2 == 0 ? "acme" : "globex"]]
                        }
                        let reply = try await server.api(.POST, "/artifacts", json: ["artifacts": .array(artifacts)])
                        #expect(reply.status == 201, "\(reply.text)")
                        let ids = reply.json.array("artifacts").map { $0.int("id") }
                        return ids.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0 += $1 }
            }
            #expect(batches.count == 30)
            try await eventually("a run per acme partition") { try await Self.runs(server, "acme-data").count >= 30 }
            try await Task.sleep(for: .milliseconds(300))
            let runs = try await Self.runs(server, "acme-data")
            let given = runs.compactMap { run -> Int64? in
                if case .int(let id)? = run["parameters"]?["clickstream"] { return id }
                return nil
            }
            #expect(given.count == 30 && Set(given) == Set(batches), "each acme partition once, no other")
            let ticks = try await Self.ticks(server, "acme-data")
            #expect(ticks.count == 30 && Set(ticks.map { $0.int("artifact_id") }) == Set(batches))
            #expect(ticks.allSatisfy { $0.string("state") == "FIRED" })
            // The run's task reads the partition.
            let run = try await server.api(.GET, "/runs/\(runs[0].int("id"))").json
            #expect(run.array("tasks").first?.string("state") == "QUEUED", "\(run)")
        }
    }

    @Test func underQueueArrivalsWaitForRoomAndNoneIsLost() async throws {
        try await withTestServer(configure: ScheduleTests.fast) { server in
            try await Self.register(server)
            #expect(try await server.api(.POST, "/schedules", json: [
                "name": "one-at-a-time", "pipeline": "on-data", "on_artifact": ["type": "Clickstream", "parameter": "clickstream"],
            ]).status == 201)
            var ids: [Int64] = []
            for index in 0..<3 {
                let reply = try await server.api(.POST, "/artifacts", json: ["type": "Clickstream", "uri": .string("s3://c/\(index)")])
                ids.append(reply.json.int("id"))
            }
            try await eventually("the first fire") { try await Self.runs(server, "one-at-a-time").count == 1 }
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await Self.ticks(server, "one-at-a-time").count == 1, "the others wait, unconsumed")
            for expected in 2...3 {
                let active = try #require(try await Self.runs(server, "one-at-a-time").first)
                _ = try await server.api(.POST, "/runs/\(active.int("id")):cancel")
                try await eventually("fire \(expected)") { try await Self.runs(server, "one-at-a-time").count == expected }
            }
            let given = try await Self.ticks(server, "one-at-a-time").map { $0.int("artifact_id") }
            #expect(given.sorted() == ids.sorted(), "in order, each once: \(given)")
        }
    }

    @Test func badDataTriggersAreRefusedNamingTheField() async throws {
        try await withTestServer(configure: ScheduleTests.fast) { server in
            try await Self.register(server)
            let cases: [(JSON, String)] = [
                (["type": "Clickstream", "parameter": "nope"], "on_artifact.parameter"),
                (["type": "Clickstream", "parameter": "clickstream", "filter": "custom_properties.x ="], "on_artifact.filter"),
                (["type": "Clickstream"], "on_artifact.parameter"),
                (["type": "Clickstream", "parameter": "clickstream", "colour": "red"], "on_artifact.colour"),
            ]
            for (trigger, field) in cases {
                let reply = try await server.api(.POST, "/schedules", json: ["name": "d", "pipeline": "on-data", "on_artifact": trigger])
                #expect(reply.status == 400 && reply.json["error"]?["details"]?["field"] == .string(field), "\(trigger): \(reply.text)")
            }
            let both = try await server.api(.POST, "/schedules", json: [
                "name": "d", "pipeline": "on-data", "interval": "1h", "on_artifact": ["type": "Clickstream", "parameter": "clickstream"],
            ])
            #expect(both.status == 400 && both.json["error"]?["details"]?["field"] == "on_artifact", "\(both.text)")
            let catchUp = try await server.api(.POST, "/schedules", json: [
                "name": "d", "pipeline": "on-data", "catch_up": "all", "on_artifact": ["type": "Clickstream", "parameter": "clickstream"],
            ])
            #expect(catchUp.status == 400 && catchUp.json["error"]?["details"]?["field"] == "catch_up", "\(catchUp.text)")
        }
    }
}
