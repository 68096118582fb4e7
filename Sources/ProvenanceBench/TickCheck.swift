import ProvenanceCore
import ProvenanceStore

/// The simulation's verdict: every schedule's ticks read back and checked against the triggers of the revisions
/// that decided them.
struct TickCheck {
    var ticks = 0
    var fired = 0
    var duplicates = 0
    var missed = 0
    var problems: [String] = []

    /// Reads every tick and run of the simulation's schedules and checks them (`now`: the simulated clock's end).
    static func run(_ store: PostgresStore, namespace: String, book: SpecBook, now: Int64, schedules: Int) async throws -> TickCheck {
        var check = TickCheck()
        let specs = await book.specs
        let created = await book.created
        for index in 0..<schedules {
            let name = "sim-\(index)"
            guard let revisions = specs[name], let createTime = created[name] else { continue }
            let ticks = try await allTicks(store, name: name, namespace: namespace)
            let runs = try await allRuns(store, name: name, namespace: namespace)
            check.ticks += ticks.count
            check.verify(name: name, ticks: ticks, runs: runs, revisions: revisions, created: createTime, now: now)
        }
        return check
    }

    mutating func verify(
        name: String, ticks: [ScheduleTick], runs: [Run], revisions: [Int64: ScheduleSpec], created: Int64, now: Int64
    ) {
        func problem(_ text: String) { problems.append("\(name): \(text)") }
        // Each tick is the next fire, after the tick before, of the trigger of the revision that decided it.
        var previous = created
        for tick in ticks {
            guard let spec = revisions[tick.revision] else {
                problem("a tick names revision \(tick.revision), which was never written")
                missed += 1
                continue
            }
            if tick.nominalTime == previous, tick.nominalTime != created {
                duplicates += 1
                problem("two ticks at \(RFC3339Time.text(microseconds: tick.nominalTime))")
                continue
            }
            let expected = spec.nextFire(after: previous, created: created)
            if expected != tick.nominalTime {
                missed += 1
                problem("after \(RFC3339Time.text(microseconds: previous)) the next fire was "
                    + "\(expected.map { RFC3339Time.text(microseconds: $0) } ?? "none"), the tick is at \(RFC3339Time.text(microseconds: tick.nominalTime))")
            }
            previous = tick.nominalTime
        }
        // No fire left behind at the end.
        if let last = revisions.keys.max(), let next = revisions[last]?.nextFire(after: previous, created: created), next <= now {
            missed += 1
            problem("the fire at \(RFC3339Time.text(microseconds: next)) was never decided")
        }
        // One run per FIRED tick, and no two runs for one fire.
        let firedTicks = ticks.filter { $0.state == .fired }
        fired += firedTicks.count
        let times = runs.compactMap { $0.schedule?.scheduledTime }
        if Set(times).count != times.count {
            duplicates += times.count - Set(times).count
            problem("\(times.count - Set(times).count) fires made two runs")
        }
        if Set(firedTicks.compactMap(\.runID)) != Set(runs.map(\.id)) {
            duplicates += 1
            problem("\(firedTicks.count) FIRED ticks but \(runs.count) runs")
        }
    }

    private static func allTicks(_ store: PostgresStore, name: String, namespace: String) async throws -> [ScheduleTick] {
        var ticks: [ScheduleTick] = []
        var before: PageCursor?
        repeat {
            let page = try await store.scheduleTicks(name, namespace: namespace, state: nil, size: 1000, before: before)
            ticks += page.items
            before = page.next
        } while before != nil
        return ticks.reversed()
    }

    private static func allRuns(_ store: PostgresStore, name: String, namespace: String) async throws -> [Run] {
        var runs: [Run] = []
        var before: RunID?
        repeat {
            let page = try await store.listRuns(namespace: namespace, filter: RunListFilter(schedule: name), size: 1000, before: before)
            runs += page.items
            before = page.next.map { RunID($0.id) }
        } while before != nil
        return runs
    }
}
