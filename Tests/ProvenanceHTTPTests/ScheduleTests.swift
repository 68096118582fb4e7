import Foundation
import ProvenanceCore
import ProvenanceServer
import ProvenanceTestSupport
import Testing

/// Schedules over HTTP against the real scheduler: fires make runs carrying their schedule and scheduled time;
/// missed, overlapping, paused and edited fires do what the policies say, and no fire makes two runs. No executor
/// is attached, so the runs stay PENDING (active) unless cancelled.
@Suite struct ScheduleTests {
    static let stamp: JSON = [
        "name": "stamp", "version": "1", "outputs": ["data": "Dataset"], "parameters": ["when": "STRING"],
        "run": ["command": ["echo", "{{parameters.when}}", "{{outputs.data.uri}}"]],
    ]
    static let pipeline: JSON = [
        "name": "nightly",
        "parameters": ["scheduled_time": ["type": "STRING", "default": ""], "rows": ["type": "INT", "default": 3]],
        "steps": ["stamp": ["component": "stamp@1", "parameters": ["when": "{{parameters.scheduled_time}}"]]],
    ]

    /// Schedules looked at every 50 ms; a fire found up to 30 s late (a loaded test machine) still counts as on time.
    static func fast(_ config: inout ServerConfiguration) {
        config.scheduleInterval = .milliseconds(50)
        config.scheduleGrace = .seconds(30)
    }

    static func register(_ server: TestServer) async throws {
        #expect(try await server.api(.POST, "/components", json: stamp).status == 201)
        #expect(try await server.api(.POST, "/pipelines", json: pipeline).status == 201)
    }

    static func ticks(_ server: TestServer, _ name: String) async throws -> [JSON] {
        let reply = try await server.api(.GET, "/schedules/\(name)/ticks?page_size=1000")
        #expect(reply.status == 200, "\(reply.text)")
        return reply.json.array("ticks").reversed()
    }

    static func runs(_ server: TestServer, schedule name: String) async throws -> [JSON] {
        try await server.api(.GET, "/runs?schedule=\(name)&page_size=1000").json.array("runs")
    }

    static func time(_ date: Date) -> String {
        RFC3339Time.text(microseconds: Int64(date.timeIntervalSince1970 * 1_000_000))
    }

    @Test func firesMakeRunsThatCarryTheirScheduleAndScheduledTime() async throws {
        try await withTestServer(configure: Self.fast) { server in
            try await Self.register(server)
            let created = try await server.api(.POST, "/schedules", json: [
                "name": "every-second", "pipeline": "nightly", "interval": "1s", "parameters": ["rows": 5],
                "labels": ["customer": "acme"], "max_concurrency": 10,
            ])
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json.string("state") == "ACTIVE" && created.json.string("next_fire_time") != nil)
            #expect(created.json["spec"]?["catch_up"] == "latest" && created.json["spec"]?["overlap"] == "skip")
            try await eventually("two fires") { try await Self.runs(server, schedule: "every-second").count >= 2 }
            let runs = try await Self.runs(server, schedule: "every-second")
            for run in runs {
                let scheduled = try #require(run["schedule"]?.string("scheduled_time"))
                #expect(run["schedule"]?.string("name") == "every-second")
                #expect(run["parameters"]?["scheduled_time"] == .string(scheduled), "the run's scheduled_time parameter")
                #expect(run["parameters"]?["rows"] == 5 && run["labels"]?["customer"] == "acme")
            }
            let ticks = try await Self.ticks(server, "every-second")
            let fired = ticks.filter { $0.string("state") == "FIRED" }
            #expect(Set(fired.map { $0.int("run_id") }) == Set(runs.map { $0.int("id") }) || fired.count > runs.count)
            let schedule = try await server.api(.GET, "/schedules/every-second").json
            #expect(schedule["last_fire"]?.string("state") == "FIRED")
            #expect(schedule.int("next_fire_time_since_epoch") > schedule["last_fire"]!.int("nominal_time_since_epoch"))
            // One tick per nominal time, a second apart.
            let nominal = ticks.map { $0.int("nominal_time_since_epoch") }
            #expect(zip(nominal, nominal.dropFirst()).allSatisfy { $1 - $0 == 1000 }, "\(nominal)")
            #expect(try await server.api(.DELETE, "/schedules/every-second").status == 204)
            #expect(try await server.api(.GET, "/schedules/every-second").status == 404)
            // Its runs stay, naming no schedule.
            let run = try await server.api(.GET, "/runs/\(runs[0].int("id"))").json
            #expect(run["schedule"]?.string("scheduled_time") != nil && run["schedule"]?.string("name") == nil)
        }
    }

    @Test func badSchedulesAreRefusedNamingTheField() async throws {
        try await withTestServer(configure: Self.fast) { server in
            try await Self.register(server)
            let base: [(key: String, value: JSON)] = [(key: "name", value: "s"), (key: "pipeline", value: "nightly")]
            let cases: [([(key: String, value: JSON)], String, String)] = [
                ([(key: "cron", value: "61 * * * *")], "cron", "minute field"),
                ([(key: "cron", value: "0 2 * *")], "cron", "has 4 fields"),
                ([(key: "cron", value: "0 2 * * *"), (key: "time_zone", value: "Europe/Atlantis")], "time_zone", "IANA"),
                ([(key: "interval", value: "1h"), (key: "overlap", value: "wait")], "overlap", "skip, queue, cancel_oldest"),
                ([(key: "interval", value: "1h"), (key: "parameters", value: ["colour": "red"])], "parameters.colour", "no such parameter"),
                ([(key: "interval", value: "1h"), (key: "parameters", value: ["rows": "many"])], "parameters.rows", "expected a value of type INT"),
                ([], "cron", "needs a trigger"),
            ]
            for (extra, field, message) in cases {
                let reply = try await server.api(.POST, "/schedules", json: .object(base + extra))
                #expect(reply.status == 400, "\(extra): \(reply.text)")
                #expect(reply.json["error"]?["details"]?["field"] == .string(field), "\(extra): \(reply.text)")
                #expect(reply.errorMessage.contains(message), "\(reply.errorMessage)")
            }
            let unknown = try await server.api(.POST, "/schedules", json: ["name": "s", "pipeline": "nope", "interval": "1h"])
            #expect(unknown.status == 400 && unknown.json["error"]?["details"]?["field"] == "pipeline", "\(unknown.text)")
            #expect(try await server.api(.POST, "/schedules", json: ["name": "s", "pipeline": "nightly", "interval": "1h"]).status == 201)
            let twice = try await server.api(.POST, "/schedules", json: ["name": "s", "pipeline": "nightly", "interval": "1h"])
            #expect(twice.status == 409, "\(twice.text)")
            let renamed = try await server.api(.PUT, "/schedules/s", json: ["name": "t", "pipeline": "nightly", "interval": "1h"])
            #expect(renamed.status == 400, "\(renamed.text)")
            #expect(try await server.api(.GET, "/schedules/s/ticks?state=LATE").status == 400)
            #expect(try await server.api(.POST, "/schedules/s:resume?backfill=maybe").status == 400)
            #expect(try await server.api(.POST, "/schedules/zz:pause").status == 404)
            #expect(try await server.api(.GET, "/schedules").json.array("schedules").count == 1)
        }
    }

    /// Three fires pass while no scheduler runs (start, start + 2 s, start + 4 s, then the schedule ends); the
    /// server that comes back decides all three in one look, as each policy says. The first server's scheduler
    /// never looks (it would in an hour), so it is as if it were down from the schedules' creation.
    @Test func aServerStoppedAcrossThreeFiresCatchesUpAsEachPolicySays() async throws {
        let database = try await TestCluster.shared.freshDatabase().url
        func onDatabase(_ config: inout ServerConfiguration) {
            Self.fast(&config)
            config.scheduleGrace = .seconds(1)
            config.databaseURL = database
        }
        let policies: [(name: String, catchUp: String, limit: Int, states: [String])] = [
            ("none", "none", 10, ["SKIPPED", "SKIPPED", "SKIPPED"]),
            ("latest", "latest", 10, ["SKIPPED", "SKIPPED", "FIRED"]),
            ("all", "all", 10, ["FIRED", "FIRED", "FIRED"]),
            ("all-but-one", "all", 2, ["SKIPPED", "FIRED", "FIRED"]),
        ]
        var start = Date()
        try await withTestServer(configure: { config in
            onDatabase(&config)
            config.scheduleInterval = .seconds(3600)
        }) { server in
            try await Self.register(server)
            func spec(_ policy: (name: String, catchUp: String, limit: Int, states: [String]), start: Date) -> JSON {
                [
                    "pipeline": "nightly", "interval": "2s", "catch_up": .string(policy.catchUp),
                    "catch_up_limit": .int(Int64(policy.limit)), "max_concurrency": 10, "start_time": .string(Self.time(start)),
                    "end_time": .string(Self.time(start.addingTimeInterval(4.5))),
                ]
            }
            for policy in policies {
                let reply = try await server.api(.PUT, "/schedules/\(policy.name)", json: spec(policy, start: Date().addingTimeInterval(3600)))
                #expect(reply.status == 201, "\(reply.text)")
            }
            // Rewritten with a start after every cursor (each schedule's creation), however slow the creation was.
            start = Date().addingTimeInterval(0.5)
            for policy in policies {
                #expect(try await server.api(.PUT, "/schedules/\(policy.name)", json: spec(policy, start: start)).status == 200)
            }
        }
        // Down until the last fire is more than the grace late.
        try await Task.sleep(for: .seconds(max(0, start.addingTimeInterval(6).timeIntervalSinceNow)))
        try await withTestServer(configure: onDatabase) { server in
            for policy in policies {
                try? await eventually("\(policy.name) decided") { try await Self.ticks(server, policy.name).count == 3 }
                let ticks = try await Self.ticks(server, policy.name)
                #expect(ticks.map { $0.string("state") ?? "" } == policy.states, "\(policy.name): \(ticks)")
                for tick in ticks where tick.string("state") == "SKIPPED" {
                    #expect(tick.string("reason")?.contains("catch_up") == true, "\(tick)")
                }
                let runs = try await Self.runs(server, schedule: policy.name)
                #expect(runs.count == policy.states.filter { $0 == "FIRED" }.count, "\(policy.name)")
                #expect(try await server.api(.GET, "/schedules/\(policy.name)").json.string("state") == "ENDED")
            }
        }
    }

    @Test func twoReplicasFiringOneScheduleMakeOneRunPerFire() async throws {
        try await withTestReplicas(2, configure: { config in
            Self.fast(&config)
            config.scheduleInterval = .milliseconds(10)
        }) { servers in
            try await Self.register(servers[0])
            let reply = try await servers[1].api(.POST, "/schedules", json: [
                "name": "shared", "pipeline": "nightly", "interval": "1s", "max_concurrency": 100, "catch_up": "all",
            ])
            #expect(reply.status == 201)
            try await eventually("five fires") { try await Self.ticks(servers[0], "shared").count >= 5 }
            _ = try await servers[0].api(.POST, "/schedules/shared:pause")
            let ticks = try await Self.ticks(servers[1], "shared")
            let runs = try await Self.runs(servers[1], schedule: "shared")
            #expect(ticks.allSatisfy { $0.string("state") == "FIRED" }, "\(ticks)")
            #expect(runs.count == ticks.count)
            let scheduled = runs.compactMap { $0["schedule"]?.string("scheduled_time") }
            #expect(Set(scheduled).count == runs.count, "a fire made two runs: \(scheduled.sorted())")
        }
    }

    @Test func aScheduleEditedWhileFiringKeepsOneRunPerFireAndFollowsItsNewTrigger() async throws {
        try await withTestServer(configure: Self.fast) { server in
            try await Self.register(server)
            var spec: [(key: String, value: JSON)] = [
                (key: "pipeline", value: "nightly"), (key: "interval", value: "1s"), (key: "max_concurrency", value: 100),
            ]
            #expect(try await server.api(.PUT, "/schedules/edited", json: .object(spec)).status == 201)
            #expect(try await server.api(.PUT, "/schedules/edited", json: .object(spec)).status == 200)
            // Edits as fast as the server takes them for three seconds, each a new revision.
            let until = ContinuousClock.now + .seconds(3)
            var rows: Int64 = 0
            while ContinuousClock.now < until {
                rows += 1
                let reply = try await server.api(.PUT, "/schedules/edited", json: .object(spec + [(key: "parameters", value: ["rows": .int(rows)])]))
                #expect(reply.status == 200, "\(reply.text)")
            }
            let ticks = try await Self.ticks(server, "edited")
            let runs = try await Self.runs(server, schedule: "edited")
            #expect(ticks.count >= 2 && runs.count == ticks.filter { $0.string("state") == "FIRED" }.count)
            #expect(Set(runs.compactMap { $0["schedule"]?.string("scheduled_time") }).count == runs.count)
            #expect(Set(ticks.map { $0.int("revision") }).count > 1, "ticks name the revision that decided them")
            // A new trigger: the next fire follows it from the cursor.
            spec[1] = (key: "interval", value: "1h")
            let hourly = try await server.api(.PUT, "/schedules/edited", json: .object(spec)).json
            #expect(hourly.int("next_fire_time_since_epoch") - hourly.int("cursor_time_since_epoch") <= 3_600_000)
            #expect(hourly.int("next_fire_time_since_epoch") - hourly.int("cursor_time_since_epoch") > 1000)
        }
    }

    @Test func resumingSkipsThePausedWindowUnlessAskedToBackfill() async throws {
        try await withTestServer(configure: Self.fast) { server in
            try await Self.register(server)
            #expect(try await server.api(.POST, "/schedules", json: [
                "name": "paused", "pipeline": "nightly", "interval": "1s", "catch_up": "all", "max_concurrency": 100,
            ]).status == 201)
            try await eventually("a fire") { try await Self.ticks(server, "paused").count >= 1 }
            let paused = try await server.api(.POST, "/schedules/paused:pause").json
            #expect(paused.string("state") == "PAUSED" && paused.string("next_fire_time") == nil)
            let before = try await Self.ticks(server, "paused").count
            try await Task.sleep(for: .seconds(3))
            #expect(try await Self.ticks(server, "paused").count == before, "a paused schedule fired")
            let resumed = try await server.api(.POST, "/schedules/paused:resume").json
            #expect(resumed.string("state") == "ACTIVE")
            try await eventually("a fire after resuming") { try await Self.ticks(server, "paused").count > before }
            let afterResume = try await Self.ticks(server, "paused")
            // The window was not made: the first fire after it is a second or more after the resume's cursor.
            let gap = afterResume[before].int("nominal_time_since_epoch") - afterResume[before - 1].int("nominal_time_since_epoch")
            #expect(gap >= 3000, "the paused window was fired: \(afterResume)")

            _ = try await server.api(.POST, "/schedules/paused:pause")
            let count = try await Self.ticks(server, "paused").count
            try await Task.sleep(for: .seconds(3))
            _ = try await server.api(.POST, "/schedules/paused:resume?backfill=true")
            try await eventually("the window backfilled") { try await Self.ticks(server, "paused").count >= count + 3 }
            let backfilled = try await Self.ticks(server, "paused")
            let nominal = backfilled.map { $0.int("nominal_time_since_epoch") }
            #expect(zip(nominal[(count - 1)...], nominal[count...]).allSatisfy { $1 - $0 == 1000 }, "\(nominal)")
        }
    }

    @Test func overlappingFiresAreSkippedQueuedOrCancelTheOldestRun() async throws {
        try await withTestServer(configure: Self.fast) { server in
            try await Self.register(server)
            for overlap in ["skip", "queue", "cancel_oldest"] {
                #expect(try await server.api(.POST, "/schedules", json: [
                    "name": .string(overlap.replacingOccurrences(of: "_", with: "-")), "pipeline": "nightly", "interval": "1s",
                    "overlap": .string(overlap), "catch_up": "all",
                ]).status == 201)
            }
            try await eventually("three fires each, and three runs made by cancel-oldest") {
                for name in ["skip", "queue"] where try await Self.ticks(server, name).count < 3 { return false }
                return try await Self.runs(server, schedule: "cancel-oldest").count >= 3
            }
            for name in ["skip", "queue", "cancel-oldest"] { _ = try await server.api(.POST, "/schedules/\(name):pause") }
            let skipped = try await Self.ticks(server, "skip")
            #expect(skipped[0].string("state") == "FIRED")
            #expect(skipped.dropFirst().allSatisfy {
                $0.string("state") == "SKIPPED" && $0.string("reason")?.contains("max_concurrency 1") == true
            }, "\(skipped)")
            #expect(try await Self.runs(server, schedule: "skip").count == 1)

            let queued = try await Self.ticks(server, "queue")
            #expect(queued.dropFirst().allSatisfy { $0.string("state") == "QUEUED" }, "\(queued)")
            // The active run ends: the oldest queued fire runs (even while paused? no: resume first).
            let active = try #require(try await Self.runs(server, schedule: "queue").first)
            _ = try await server.api(.POST, "/runs/\(active.int("id")):cancel")
            _ = try await server.api(.POST, "/schedules/queue:resume")
            try await eventually("the queued fire runs") {
                let ticks = try await Self.ticks(server, "queue")
                return ticks.count > 1 && ticks[1].string("state") == "FIRED"
            }
            let afterCancel = try await Self.ticks(server, "queue")
            #expect(afterCancel[1].int("run_id") > 0)

            // Two fires decided in one look (a late scheduler): the older never starts, its tick says so.
            let cancelling = try await Self.runs(server, schedule: "cancel-oldest")
            let cancelTicks = try await Self.ticks(server, "cancel-oldest")
            #expect(cancelTicks.filter { $0.string("state") == "FIRED" }.count == cancelling.count)
            #expect(cancelTicks.allSatisfy { $0.string("state") == "FIRED" || $0.string("reason")?.contains("overlap cancel_oldest") == true })
            #expect(cancelling.dropFirst().allSatisfy { $0.string("state") == "CANCELED" }, "\(cancelling.map { $0.string("state") })")
            #expect(cancelling.first?.string("state") == "PENDING")
        }
    }

    @Test func aFireWhoseRunCannotBeMadeFailsItsTickWithTheReason() async throws {
        try await withTestServer(configure: Self.fast) { server in
            try await Self.register(server)
            #expect(try await server.api(.POST, "/schedules", json: [
                "name": "broken", "pipeline": "nightly", "interval": "1s", "max_concurrency": 100, "parameters": ["rows": 2],
            ]).status == 201)
            // A new version of the pipeline no longer takes `rows`.
            var changed = Self.pipeline
            changed = ["name": "nightly", "parameters": ["scheduled_time": ["type": "STRING", "default": ""]],
                       "steps": ["stamp": ["component": "stamp@1", "parameters": ["when": "{{parameters.scheduled_time}}"]]]]
            #expect(try await server.api(.POST, "/pipelines", json: changed).status == 201)
            try await eventually("a failed tick") {
                try await Self.ticks(server, "broken").contains { $0.string("state") == "FAILED" }
            }
            let failed = try #require(try await Self.ticks(server, "broken").first { $0.string("state") == "FAILED" })
            #expect(failed.string("reason")?.contains("parameters.rows") == true, "\(failed)")
            #expect(try await server.api(.GET, "/schedules/broken").json.string("state") == "ACTIVE")
        }
    }

    @Test func aCronScheduleSaysItsNextFireInItsOwnZone() async throws {
        try await withTestServer(configure: Self.fast) { server in
            try await Self.register(server)
            let reply = try await server.api(.POST, "/schedules", json: [
                "name": "kolkata", "pipeline": "nightly", "cron": "30 2 * * *", "time_zone": "Asia/Kolkata",
            ])
            #expect(reply.status == 201, "\(reply.text)")
            let next = try #require(reply.json.string("next_fire_time"))
            #expect(next.hasSuffix("T02:30:00+05:30"), "\(next)")
            #expect(reply.json["spec"]?["dst"] == "shift")
        }
    }
}
