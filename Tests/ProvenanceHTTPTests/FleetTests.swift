import ProvenanceCore
import ProvenanceTestSupport
import Testing

/// The fleet view: one entry per customer of a pipeline, with its latest run, last success and next fire, and a
/// status where a blocked, failing or stale customer stands out.
@Suite struct FleetTests {
    @Test func eachCustomerShowsItsLatestRunNextFireAndWhatStandsOut() async throws {
        try await withTestServer { server in
            #expect(try await server.api(.PUT, "/resource-templates/std", json: ["cpu": 1]).status == 201)
            #expect(try await server.api(.PUT, "/resource-templates/huge", json: ["cpu": 1, "gpu": 64]).status == 201)
            #expect(try await server.api(.PUT, "/layers/blocked-co", json: [
                "level": "customer", "value": "blocked-co", "templates": ["std": "huge"],
            ]).status == 201)
            #expect(try await server.api(.POST, "/components", json: [
                "name": "work", "version": "1", "outputs": ["data": "Dataset"], "resources": ["template": "std"],
                "run": ["command": ["true", "{{outputs.data.uri}}"]],
            ]).status == 201)
            #expect(try await server.api(.POST, "/pipelines", json: ["name": "fleet-p", "steps": ["w": ["component": "work@1"]]]).status == 201)
            let executor = try await server.request(.POST, "/api/v1/executors", json: [
                "name": "small", "capacity": ["slots": 4, "cpu": 4, "memory_mb": 4096],
            ]).json
            func submit(_ customer: String) async throws -> Int64 {
                let reply = try await server.api(.POST, "/runs", json: [
                    "pipeline": "fleet-p", "labels": ["customer": .string(customer)], "cache": false,
                ])
                #expect(reply.status == 201, "\(reply.text)")
                return reply.json.int("id")
            }
            // ok-co: a run that succeeded.
            _ = try await submit("ok-co")
            let leases = try await server.request(.POST, "/api/v1/executors/\(executor.int("id")):lease", json: [
                "available": ["slots": 4, "cpu": 4, "memory_mb": 4096], "max_tasks": 1,
            ]).json
            let token = try #require(leases.array("leases").first?.string("token"))
            #expect(try await server.request(.POST, "/api/v1/leases:complete", json: [
                "token": .string(token), "outputs": ["data": ["uri": "/tmp/fleet-ok"]],
            ]).status == 200)
            // failing-co: cancelled; blocked-co: its layer asks for 64 GPUs; running-co: queued for the executor.
            let failing = try await submit("failing-co")
            _ = try await server.api(.POST, "/runs/\(failing):cancel")
            _ = try await submit("blocked-co")
            _ = try await submit("running-co")
            #expect(try await server.api(.POST, "/schedules", json: [
                "name": "new-co-hourly", "pipeline": "fleet-p", "interval": "1h", "labels": ["customer": "new-co"],
            ]).status == 201)

            let fleet = try await server.api(.GET, "/fleet?pipeline=fleet-p")
            #expect(fleet.status == 200, "\(fleet.text)")
            let entries = fleet.json.array("entries")
            let status = Dictionary(uniqueKeysWithValues: entries.map { ($0.string("key") ?? "", $0.string("status") ?? "") })
            #expect(status == ["ok-co": "ok", "failing-co": "failing", "blocked-co": "blocked", "running-co": "running", "new-co": "never_ran"], "\(status)")
            #expect(entries.prefix(2).map { $0.string("key") } == ["blocked-co", "failing-co"], "what stands out comes first")
            let blocked = try #require(entries.first { $0.string("key") == "blocked-co" })
            #expect(blocked.string("blocked_reason")?.contains("enough capacity") == true, "\(blocked)")
            let newCo = try #require(entries.first { $0.string("key") == "new-co" })
            #expect(newCo["next_fire"]?.string("schedule") == "new-co-hourly")
            let ok = try #require(entries.first { $0.string("key") == "ok-co" })
            #expect(ok["latest_run"]?.string("state") == "SUCCEEDED" && ok["last_success"] != nil)
            #expect(fleet.json["counts"]?["blocked"] == 1)

            // A success older than stale_after is stale.
            try await Task.sleep(for: .milliseconds(1100))
            let strict = try await server.api(.GET, "/fleet?pipeline=fleet-p&stale_after=1s").json.array("entries")
            #expect(strict.first { $0.string("key") == "ok-co" }?.string("status") == "stale")
            #expect(try await server.api(.GET, "/fleet").status == 400)
            #expect(try await server.api(.GET, "/fleet?pipeline=nope").status == 404)
            #expect(try await server.api(.GET, "/fleet?pipeline=fleet-p&stale_after=soon").status == 400)
        }
    }
}
