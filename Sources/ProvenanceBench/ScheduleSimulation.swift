import Foundation
import Logging
import ProvenanceCore
import ProvenanceStore

/// `provenance bench schedules --simulate`: a year or more of schedules' fires in minutes, on the real store's SQL,
/// by `replicas` stores (each its own connection pool, as replicas are) looking at due schedules at a simulated
/// clock, while looks are killed mid-transaction and schedules are edited (parameters, policies, their cron)
/// between and during looks, over cron schedules in five time zones with daylight saving (and every DST policy).
/// Then every schedule's ticks are checked against its triggers: each tick must be the next fire, after the one
/// before it, of the trigger of the revision that decided it, no fire may be left after the last, and no fire may
/// have two ticks or two runs.
public struct ScheduleSimulation: Sendable {
    public var database: DatabaseEndpoint
    public var schedules = 120
    public var replicas = 3
    /// The ticks to reach (the simulated time goes on until they are recorded, and for a year at least, so every
    /// zone passes both of its transitions).
    public var targetTicks = 1_000_000
    /// The least simulated time, in days.
    public var minimumDays = 366
    /// The share of looks killed mid-transaction.
    public var killRate = 0.02
    /// Edits per simulated step.
    public var editsPerStep = 3
    public var seed: UInt64 = 42

    static let zones = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Santiago", "Pacific/Auckland"]
    /// Crons that meet DST transitions: local times skipped or repeated (02:30, 01:15-03:15), hourly and more.
    static let crons = ["30 2 * * *", "*/20 * * * *", "15 1,2,3 * * *", "0 * * * *", "*/30 * * * *", "30 2 * * 0"]

    /// Creates a simulation over `database`.
    public init(database: DatabaseEndpoint) {
        self.database = database
    }

    /// Runs it and prints the report through `report`; throws when a tick was missed or doubled.
    public func run(report: @escaping @Sendable (String) -> Void) async throws {
        let logger = Logger(label: "bench-simulation")
        var options = StoreOptions()
        options.maximumConnections = 4
        var stores: [PostgresStore] = []
        for _ in 0..<replicas { stores.append(try PostgresStore(endpoint: database, options: options, logger: logger)) }
        let running = stores
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in running { group.addTask { await store.run() } }
            defer { group.cancelAll() }
            try await simulate(running, report: report)
        }
    }

    private func simulate(_ stores: [PostgresStore], report: @escaping @Sendable (String) -> Void) async throws {
        var random = SeededGenerator(seed: seed)
        let namespace = "simulation-\(Int(Date().timeIntervalSince1970))"
        let store = stores[0]
        _ = try await store.createNamespace(name: namespace, description: "provenance bench schedules --simulate", actor: .server)
        _ = try await store.registerComponent(OrchestrationWorkload.source, namespace: namespace)
        _ = try await store.applyPipeline(OrchestrationWorkload.single, namespace: namespace)
        let book = SpecBook()
        for index in 0..<schedules {
            let spec = try Self.spec(index, variant: 0)
            let (stored, _) = try await store.applySchedule(spec, namespace: namespace, replace: true, actor: .server)
            await book.record(stored)
        }
        report("provenance bench schedules --simulate: \(schedules) schedules in \(Self.zones.count) time zones, \(replicas) replicas, "
            + "\(Int(killRate * 100))% of looks killed, \(editsPerStep) edits a step, seed \(seed)")

        let started = Date()
        let start = Int64(Date().timeIntervalSince1970 * 1_000_000)
        var now = start
        let counters = Counters()
        var steps = 0
        while await counters.ticks < targetTicks || now - start < Int64(minimumDays) * 86_400_000_000 {
            steps += 1
            // Half an hour to a day and a half of simulated time a step.
            now += Int64(random.next(in: 1800...129_600)) * 1_000_000
            let stepNow = now
            var planned: [ScheduleSpec] = []
            for _ in 0..<editsPerStep {
                let index = Int(random.next(in: 0...UInt64(schedules - 1)))
                planned.append(try Self.spec(index, variant: Int(random.next(in: 0...5))))
            }
            let edits = planned
            let killSeeds = (0..<replicas).map { _ in random.next(in: 0...UInt64.max / 2) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (offset, replica) in stores.enumerated() {
                    group.addTask {
                        var kills = SeededGenerator(seed: killSeeds[offset])
                        try await Self.drain(replica, now: stepNow, killRate: killRate, random: &kills, counters: counters)
                    }
                }
                group.addTask {
                    for spec in edits {
                        let (stored, changed) = try await store.applySchedule(spec, namespace: namespace, replace: true, actor: .server)
                        if changed { await book.record(stored) }
                        await counters.edited(changed)
                    }
                }
                try await group.waitForAll()
            }
            // Edits made while replicas looked may have left fires due: drain once more.
            try await Self.drain(stores[0], now: stepNow, killRate: 0, random: &random, counters: counters)
            if steps % 100 == 0 {
                report("  step \(steps): \(await counters.ticks) ticks, \(await counters.looks) looks, \(await counters.kills) killed, "
                    + "\(String(format: "%.0f", Date().timeIntervalSince(started))) s")
            }
        }
        let elapsed = Date().timeIntervalSince(started)
        let check = try await TickCheck.run(store, namespace: namespace, book: book, now: now, schedules: schedules)
        let simulatedDays = Double(now - start) / 86_400_000_000
        report("simulated \(String(format: "%.0f", simulatedDays)) days in \(steps) steps: \(check.ticks) ticks "
            + "(\(check.fired) FIRED with their runs, the rest SKIPPED by their policies), \(await counters.looks) looks, "
            + "\(await counters.kills) killed mid-transaction, \(await counters.edits) edits; "
            + "\(String(format: "%.1f", elapsed)) s (\(Int(Double(check.ticks) / elapsed)) ticks/s)")
        report("checks: \(check.duplicates) duplicate ticks or runs, \(check.missed) missed fires")
        for problem in check.problems.prefix(10) { report("  \(problem)") }
        report("")
        report("targets:")
        report(targetLine("\(targetTicks) ticks over \(replicas) replicas with kills, edits and DST: 0 duplicate and 0 missed",
            check.ticks >= targetTicks && check.duplicates == 0 && check.missed == 0))
        if check.duplicates > 0 || check.missed > 0 { throw BenchError("the simulation found \(check.duplicates) duplicates and \(check.missed) missed fires") }
    }

    /// Looks at every due schedule at `now` until none is due; a look is killed (its task cancelled a moment in,
    /// rolling its transaction back) with probability `killRate`, and looked at again.
    static func drain(
        _ store: PostgresStore, now: Int64, killRate: Double, random: inout SeededGenerator, counters: Counters
    ) async throws {
        while true {
            let due = try await store.dueSchedules(limit: 50, now: now)
            if due.isEmpty { return }
            for id in due {
                if random.unit() < killRate {
                    let delay = random.next(in: 0...3000)
                    let look = Task { try await store.lookAtSchedule(id, grace: 600_000_000, now: now) }
                    try? await Task.sleep(for: .microseconds(delay))
                    look.cancel()
                    _ = try? await look.value
                    await counters.killed()
                    continue
                }
                if let look = try await store.lookAtSchedule(id, grace: 600_000_000, now: now) {
                    await counters.looked(ticks: look.ticks)
                }
            }
        }
    }

    /// Schedule `index`'s spec; `variant` changes its parameters, policies and (for some) its cron.
    static func spec(_ index: Int, variant: Int) throws -> ScheduleSpec {
        let zone = zones[index % zones.count]
        let cron = crons[(index / zones.count + (variant % 2 == 1 ? 1 : 0)) % crons.count]
        let dst = ["shift", "skip", "repeat"][index % 3]
        let catchUp = ["none", "latest", "all"][(index / 3 + variant) % 3]
        let overlap = ["skip", "queue", "cancel_oldest"][index % 7 == 0 ? (variant % 3) : 0]
        return try ScheduleSpec(json: [
            "name": .string("sim-\(index)"), "pipeline": .string(OrchestrationWorkload.single.name), "cron": .string(cron),
            "time_zone": .string(zone), "dst": .string(dst), "catch_up": .string(catchUp), "catch_up_limit": 3,
            "overlap": .string(overlap), "max_concurrency": .int(Int64(1 + variant % 2)),
            "labels": ["variant": .string("\(variant)")],
        ])
    }
}

/// Every revision's spec of every schedule, as the simulation wrote them.
actor SpecBook {
    private(set) var specs: [String: [Int64: ScheduleSpec]] = [:]
    private(set) var created: [String: Int64] = [:]

    func record(_ schedule: StoredSchedule) {
        specs[schedule.spec.name, default: [:]][schedule.revision] = schedule.spec
        created[schedule.spec.name] = schedule.createTime
    }
}

/// What the replicas did.
actor Counters {
    private(set) var ticks = 0
    private(set) var looks = 0
    private(set) var kills = 0
    private(set) var edits = 0

    func looked(ticks recorded: Int) {
        looks += 1
        ticks += recorded
    }

    func killed() { kills += 1 }

    func edited(_ changed: Bool) { if changed { edits += 1 } }
}
