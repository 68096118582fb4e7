import Testing

@testable import ProvenanceCore

/// What one look at a due schedule decides under each catch-up and overlap policy.
@Suite struct TickPlannerTests {
    let minute: Int64 = 60_000_000
    let start: Int64 = 1_800_000_000_000_000

    func planner(_ catchUp: CatchUpPolicy, overlap: OverlapPolicy = .skip, concurrency: Int = 5, limit: Int = 10)
        -> TickPlanner
    {
        let spec = ScheduleSpec(
            name: "s", pipeline: "p", timing: .interval(minute), startTime: start, catchUp: catchUp, catchUpLimit: limit,
            overlap: overlap, maxConcurrency: concurrency)
        // Three fires missed (start + 1, 2, 3 minutes), the scheduler back 30 s after the last.
        return TickPlanner(spec: spec, created: start, cursor: start, now: start + 3 * minute + minute / 2, grace: 1_000_000)
    }

    func states(_ decisions: TickDecisions) -> [TickState] { decisions.ticks.map(\.state) }

    @Test func catchUpNoneSkipsEveryMissedFire() {
        let decisions = planner(.none).plan()
        #expect(states(decisions) == [.skipped, .skipped, .skipped])
        #expect(decisions.ticks.allSatisfy { $0.reason?.contains("catch_up none") == true })
        #expect(decisions.cursor == start + 3 * minute && decisions.nextFire == start + 4 * minute)
    }

    @Test func catchUpLatestRunsOnlyTheLatest() {
        let decisions = planner(.latest).plan()
        #expect(states(decisions) == [.skipped, .skipped, .fired])
        #expect(decisions.ticks[0].reason?.contains("superseded by the fire at") == true)
    }

    @Test func catchUpAllRunsTheNewestUpToItsLimit() {
        #expect(states(planner(.all).plan()) == [.fired, .fired, .fired])
        let limited = planner(.all, limit: 2).plan()
        #expect(states(limited) == [.skipped, .fired, .fired])
        #expect(limited.ticks[0].reason?.contains("catch-up limit of 2") == true)
    }

    @Test func aFireOnTimeRunsUnderEveryPolicy() {
        for policy in CatchUpPolicy.allCases {
            var planner = planner(policy)
            planner.cursor = start + 2 * minute
            planner.now = start + 3 * minute + 200_000
            #expect(states(planner.plan()) == [.fired], "\(policy)")
        }
    }

    @Test func overlappingFiresFollowTheOverlapPolicy() {
        func onTime(_ overlap: OverlapPolicy) -> TickPlanner {
            var planner = planner(.latest, overlap: overlap, concurrency: 1)
            planner.cursor = start + 2 * minute
            planner.now = start + 3 * minute
            planner.activeRuns = [RunID(7)]
            return planner
        }
        let skipped = onTime(.skip).plan()
        #expect(states(skipped) == [.skipped] && skipped.ticks[0].reason?.contains("max_concurrency 1") == true)
        #expect(states(onTime(.queue).plan()) == [.queued])
        let cancelled = onTime(.cancelOldest).plan()
        #expect(states(cancelled) == [.fired] && cancelled.cancelRuns == [RunID(7)])
    }

    @Test func queuedTicksRunWhenRoomIsMadeAndNewFiresQueueBehindThem() {
        var planner = planner(.latest, overlap: .queue, concurrency: 1)
        planner.cursor = start + 2 * minute
        planner.now = start + 3 * minute
        planner.queuedTicks = [start + minute, start + 2 * minute]
        let decisions = planner.plan()
        #expect(decisions.fireQueued == [start + minute])
        #expect(states(decisions) == [.queued])
    }

    @Test func aLongOutageIsWalkedWithinBoundsAndSaysWhatItLeftUnrecorded() {
        var planner = planner(.none)
        planner.spec.timing = .interval(1_000_000)
        planner.now = start + 50_000 * 1_000_000
        let decisions = planner.plan()
        #expect(decisions.ticks.count <= TickPlanner.maximumRecordedSkips + planner.spec.catchUpLimit + 1)
        #expect(decisions.ticks[0].reason?.contains("earlier fires were skipped unrecorded") == true)
        #expect(decisions.cursor == planner.now)
    }
}
