import Foundation
import ProvenanceCore
import ProvenanceOrchestrator
import ProvenanceStore
import ProvenanceTestSupport
import Testing

/// Random pipelines run through the engine with random outcomes, checked against the state machine afterwards.
/// Seeded: the seed is printed, and `PROVENANCE_TEST_SEED=N` runs the same pipelines and outcomes again.
@Suite struct RandomizedRunTests {
    /// SplitMix64: small, seedable, the same everywhere.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let components: [ComponentSpec] = [
        try! ComponentSpec(json: [
            "name": "source", "version": "1", "outputs": ["data": "Dataset"], "run": ["command": ["true"]],
            "retries": ["max_attempts": 2, "backoff": "0s"],
        ]),
        try! ComponentSpec(json: [
            "name": "map", "version": "1", "inputs": ["a": "Dataset"], "outputs": ["data": "Dataset"], "run": ["command": ["true"]],
            "retries": ["max_attempts": 2, "backoff": "0s"],
        ]),
        try! ComponentSpec(json: [
            "name": "join", "version": "1", "inputs": ["a": "Dataset", "b": "Dataset"], "outputs": ["data": "Dataset"],
            "run": ["command": ["true"]], "retries": ["max_attempts": 2, "backoff": "0s"],
        ]),
        try! ComponentSpec(json: [
            "name": "probe", "version": "1", "inputs": ["a": "Dataset", "extra": ["type": "Dataset", "optional": true]],
            "outputs": ["data": "Dataset"], "run": ["command": ["true"]], "retries": ["max_attempts": 2, "backoff": "0s"],
        ]),
    ]

    /// An optional input chosen by a selector that finds the newest Dataset, or (`present` false) none.
    static func optionalInput(present: Bool) -> JSON {
        present ? ["select": ["type": "Dataset"], "optional": true]
            : ["select": ["type": "Dataset", "filter": "uri = 'nowhere'"], "optional": true]
    }

    /// A random DAG of `count` steps: each reads from none, one or two earlier steps (fan-out, fan-in, diamonds).
    static func pipeline(_ name: String, count: Int, using random: inout SeededGenerator) throws -> PipelineSpec {
        var steps: [(key: String, value: JSON)] = []
        for index in 0..<count {
            let upstream = Array((0..<index).shuffled(using: &random).prefix(index == 0 ? 0 : Int.random(in: 0...2, using: &random)))
            let step: JSON
            switch upstream.count {
            case 0: step = ["component": "source@1"]
            case 1 where Int.random(in: 0..<3, using: &random) == 0:
                step = ["component": "probe@1", "inputs": [
                    "a": .string("s\(upstream[0]).data"), "extra": optionalInput(present: Bool.random(using: &random)),
                ]]
            case 1: step = ["component": "map@1", "inputs": ["a": .string("s\(upstream[0]).data")]]
            default: step = ["component": "join@1", "inputs": ["a": .string("s\(upstream[0]).data"), "b": .string("s\(upstream[1]).data")]]
            }
            steps.append((key: "s\(index)", value: step))
        }
        return try PipelineSpec(json: ["name": .string(name), "steps": .object(steps)])
    }

    @Test func randomPipelinesWithRandomOutcomesEndAsTheStateMachineSays() async throws {
        let seed = ProcessInfo.processInfo.environment["PROVENANCE_TEST_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64.max)
        print("RandomizedRunTests seed \(seed) (PROVENANCE_TEST_SEED=\(seed) repeats it)")
        var random = SeededGenerator(state: seed)
        try await EngineHarness.with { harness in
            for component in Self.components { _ = try await harness.store.registerComponent(component, namespace: "default") }
            let executor = try await harness.executor("random")
            for round in 0..<8 {
                let name = "random-\(round)"
                _ = try await harness.store.applyPipeline(try Self.pipeline(name, count: Int.random(in: 2...10, using: &random), using: &random), namespace: "default")
                // Every other round runs twice: the second run may be served from the cache.
                for repeatRun in 0..<(round % 2 == 0 ? 2 : 1) {
                    let cache = repeatRun == 1 || Bool.random(using: &random)
                    let run = try await harness.engine.submit(RunRequest(pipeline: name, cache: cache), namespace: "default")
                    let canceled = try await Self.drive(run.id, harness: harness, executor: executor, using: &random)
                    try await Self.check(run.id, canceled: canceled, harness: harness, seed: seed)
                }
            }
        }
    }

    @Test func randomPipelinesWhoseLeasesExpireEndAsTheStateMachineSays() async throws {
        let seed = ProcessInfo.processInfo.environment["PROVENANCE_TEST_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64.max)
        print("RandomizedRunTests (expiring leases) seed \(seed) (PROVENANCE_TEST_SEED=\(seed) repeats it)")
        var random = SeededGenerator(state: seed)
        // Leases of a millisecond, and no reaper but the test's own: a lease is lost exactly when the test says.
        var settings = EngineSettings()
        settings.leaseDuration = .milliseconds(1)
        try await EngineHarness.with(services: false, settings: settings) { harness in
            for component in Self.components { _ = try await harness.store.registerComponent(component, namespace: "default") }
            let executor = try await harness.executor("expiring")
            for round in 0..<6 {
                let name = "expiring-\(round)"
                _ = try await harness.store.applyPipeline(try Self.pipeline(name, count: Int.random(in: 2...10, using: &random), using: &random), namespace: "default")
                let run = try await harness.engine.submit(RunRequest(pipeline: name, cache: Bool.random(using: &random)), namespace: "default")
                let canceled = try await Self.drive(run.id, harness: harness, executor: executor, expiring: true, using: &random)
                try await Self.check(run.id, canceled: canceled, harness: harness, seed: seed)
            }
        }
    }

    @Test func aStepReadingOneArtifactThroughTwoInputsCompletes() async throws {
        // Found by the randomized test: two INPUT events between one artifact and one execution were refused, so
        // the step's completion failed and its task hung until its lease expired.
        try await EngineHarness.with { harness in
            for component in Self.components { _ = try await harness.store.registerComponent(component, namespace: "default") }
            _ = try await harness.store.applyPipeline(try PipelineSpec(json: [
                "name": "twice",
                "steps": ["s0": ["component": "source@1"], "s1": ["component": "join@1", "inputs": ["a": "s0.data", "b": "s0.data"]]],
            ]), namespace: "default")
            let executor = try await harness.executor("e")
            let run = try await harness.engine.submit(RunRequest(pipeline: "twice", cache: false), namespace: "default")
            for _ in 0..<2 {
                let lease = try #require(try await harness.lease(executor, maximum: 1).first)
                _ = try await harness.engine.complete(lease.token, report: EngineHarness.report(lease))
            }
            let ended = try await harness.store.run(run.id, namespace: "default")
            #expect(ended.state == .succeeded)
            #expect(ended.tasks[1].inputs.count == 2)
        }
    }

    /// Leases and ends the run's tasks with random outcomes (complete, fail, give back) until the run ends; may
    /// cancel it once. Returns whether it did.
    static func drive(
        _ run: RunID, harness: EngineHarness, executor: ExecutorID, expiring: Bool = false, using random: inout SeededGenerator
    ) async throws -> Bool {
        var canceled = false
        for _ in 0..<500 {
            let state = try await harness.store.run(run, namespace: "default").state
            if state.isFinal { return canceled }
            if !canceled, Int.random(in: 0..<40, using: &random) == 0 {
                _ = try await harness.engine.cancel(run, namespace: "default", actor: .commandLine(user: "randomized-test"))
                canceled = true
            }
            let leases = try await harness.lease(executor, maximum: Int.random(in: 1...4, using: &random))
            for lease in leases {
                do {
                    switch Int.random(in: 0..<(expiring ? 12 : 10), using: &random) {
                    case 0..<6:
                        _ = try await harness.engine.complete(lease.token, report: EngineHarness.report(lease))
                    case 6..<8:
                        _ = try await harness.engine.fail(lease.token, failure: AttemptFailure(error: "random failure", exitCode: 1))
                    case 8..<10:
                        _ = try await harness.engine.fail(lease.token, failure: AttemptFailure(error: "given back", released: true))
                    default:
                        // Every lease of this harness has expired by now: the reaper ends them all as lost, and the
                        // reports still to come for the rest of this batch are refused (the fencing at work).
                        _ = try await harness.store.reapExpiredLeases()
                    }
                } catch let error as ProvenanceError {
                    guard expiring, error.code == .leaseLost else { throw error }
                }
            }
        }
        Issue.record("run \(run) did not end in 500 rounds")
        return canceled
    }

    /// The invariants every ended run keeps.
    static func check(_ id: RunID, canceled: Bool, harness: EngineHarness, seed: UInt64) async throws {
        let run = try await harness.store.run(id, namespace: "default")
        let context = "run \(id) (seed \(seed))"
        #expect(run.state.isFinal, "\(context): \(run.state.name)")
        for task in run.tasks {
            #expect(task.state.isFinal, "\(context): task \(task.step) is \(task.state.name)")
            #expect(task.attempts.allSatisfy { $0.state != .running }, "\(context): an attempt of \(task.step) still runs")
            switch task.state {
            case .succeeded:
                #expect(task.attempts.filter { $0.state == .succeeded }.count == 1, "\(context): \(task.step)")
                #expect(task.outputs.count == 1, "\(context): \(task.step) has \(task.outputs.count) outputs")
            case .cached:
                #expect(task.cachedFrom != nil && task.attempts.isEmpty, "\(context): \(task.step)")
                #expect(task.outputs.count == 1, "\(context): \(task.step)")
            default:
                #expect(task.attempts.allSatisfy { $0.state != .succeeded }, "\(context): \(task.step)")
            }
        }
        #expect(run.state == StateMachine.runOutcome(canceling: canceled, taskStates: run.tasks.map(\.state)), "\(context)")
        // Its history is a walk through the table.
        for (previous, next) in zip(run.history, run.history.dropFirst()) {
            let event = try #require(next.event, "\(context): a change without its event")
            #expect(StateMachine.runs.allows(previous.state, next.state, on: event),
                    "\(context): \(previous.state.name) -> \(next.state.name) on \(event)")
        }
    }
}
