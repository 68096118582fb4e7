import Foundation
import ProvenanceCore
import ProvenanceStore
import ProvenanceTestSupport
import Testing

/// A long chain served from the cache. The hostile probe's 2,500-step chain took 47.5 s inside one `POST /runs`,
/// and a 10,000-step one held its first step's completion (and that lease's heartbeats) until it timed out. Now one
/// transaction resolves at most `StoreOptions.releaseWaves` waves and leaves the rest for further transactions.
/// These tests run no background services: they take each further transaction themselves.
@Suite struct CachedChainTests {
    static let waves = 16

    static let link = try! ComponentSpec(json: [
        "name": "link", "version": "1", "inputs": ["in": "Dataset"], "outputs": ["data": "Dataset"], "run": ["command": ["true"]],
    ])

    static let head = try! ComponentSpec(json: ["name": "head", "version": "1", "run": ["command": ["true"]]])

    /// A chain of `length` steps: `s0` makes a dataset, each next step reads the one before. With `uncachedHead`,
    /// a step `head` that is never served from the cache runs first, and `s0` after it.
    static func chain(_ name: String, length: Int, uncachedHead: Bool = false) throws -> PipelineSpec {
        var steps: [(key: String, value: JSON)] = [
            (key: "s0", value: uncachedHead ? ["component": "step@1", "after": ["head"]] : ["component": "step@1"]),
        ]
        if uncachedHead { steps.append((key: "head", value: ["component": "head@1", "cache": false])) }
        for index in 1..<length {
            steps.append((key: "s\(index)", value: ["component": "link@1", "inputs": ["in": .string("s\(index - 1).data")]]))
        }
        return try PipelineSpec(json: ["name": .string(name), "steps": .object(steps)])
    }

    /// Runs every task to success, leasing and completing until nothing is queued.
    static func runThrough(harness: EngineHarness, executor: ExecutorID) async throws {
        while true {
            let leases = try await harness.lease(executor, maximum: 8)
            if leases.isEmpty { return }
            for lease in leases { _ = try await harness.engine.complete(lease.token, report: EngineHarness.report(lease)) }
        }
    }

    /// A harness with `waves` waves per transaction, the link component, the chain applied and run once.
    static func withChainRunOnce(
        length: Int, uncachedHead: Bool = false, _ body: (EngineHarness, ExecutorID) async throws -> Void
    ) async throws {
        try await EngineHarness.with(configure: { $0.releaseWaves = waves }, services: false) { harness in
            _ = try await harness.store.registerComponent(Self.link, namespace: "default")
            _ = try await harness.store.registerComponent(Self.head, namespace: "default")
            _ = try await harness.store.applyPipeline(
                try Self.chain("chain", length: length, uncachedHead: uncachedHead), namespace: "default")
            let executor = try await harness.executor("chain")
            let first = try await harness.engine.submit(RunRequest(pipeline: "chain"), namespace: "default")
            // Its tasks are each queued by the completion before, so the deferring never comes into it.
            try await Self.runThrough(harness: harness, executor: executor)
            try #require(try await harness.store.run(first.id, namespace: "default").state == .succeeded)
            try await body(harness, executor)
        }
    }

    static func cachedCount(_ run: RunID, _ harness: EngineHarness) async throws -> Int {
        try await harness.store.run(run, namespace: "default").tasks.filter { $0.state == .cached }.count
    }

    /// Takes the deferred tasks until none is left; checks each transaction resolved at most `waves` steps of the
    /// chain. Returns how many transactions took any.
    static func drainDeferred(_ run: RunID, _ harness: EngineHarness) async throws -> Int {
        var passes = 0
        var cached = try await cachedCount(run, harness)
        while try await harness.store.releaseDeferred(limit: 1_000).taken > 0 {
            passes += 1
            let now = try await cachedCount(run, harness)
            #expect(now - cached <= waves, "pass \(passes) served \(now - cached) steps")
            cached = now
        }
        return passes
    }

    @Test func aSubmittedCachedChainIsResolvedAFewWavesPerTransaction() async throws {
        let length = 200
        try await Self.withChainRunOnce(length: length) { harness, _ in
            let started = ContinuousClock.now
            let second = try await harness.engine.submit(RunRequest(pipeline: "chain"), namespace: "default")
            #expect(second.state == .running)
            let cachedAtOnce = try await Self.cachedCount(second.id, harness)
            #expect(cachedAtOnce == Self.waves)
            let passes = try await Self.drainDeferred(second.id, harness)
            print("CachedChainTests: a \(length)-step cached chain was resolved in \(ContinuousClock.now - started) (\(passes + 1) transactions)")
            #expect(passes == (length - Self.waves + Self.waves - 1) / Self.waves)
            let ended = try await harness.store.run(second.id, namespace: "default")
            #expect(ended.state == .succeeded)
            #expect(ended.tasks.allSatisfy { $0.state == .cached }, "\(ended.tasks.filter { $0.state != .cached }.map(\.step))")
            // Each reused the outputs of the run before, read what the step before it reused, and has its execution.
            for (previous, task) in zip(ended.tasks, ended.tasks.dropFirst()) {
                #expect(task.inputs.map(\.artifactID) == previous.outputs.map(\.artifactID), "\(task.step)")
                #expect(task.executionID != nil, "\(task.step)")
            }
        }
    }

    @Test func aCompletionCascadingThroughTheCacheCommitsAfterAFewWaves() async throws {
        let length = 100
        try await Self.withChainRunOnce(length: length, uncachedHead: true) { harness, executor in
            let second = try await harness.engine.submit(RunRequest(pipeline: "chain"), namespace: "default")
            let head = try #require(try await harness.lease(executor, maximum: 8).first)
            let outcome = try await harness.engine.complete(head.token, report: EngineHarness.report(head))
            #expect(outcome.taskState == .succeeded)
            // The completion's transaction served `waves` steps and left the rest: its lease is free at once.
            let cachedAtOnce = try await Self.cachedCount(second.id, harness)
            #expect(cachedAtOnce == Self.waves)
            _ = try await Self.drainDeferred(second.id, harness)
            let ended = try await harness.store.run(second.id, namespace: "default")
            #expect(ended.state == .succeeded)
            #expect(ended.tasks.filter { $0.step != "head" }.allSatisfy { $0.state == .cached })
        }
    }

    @Test func aRunCancelledWithTasksLeftForLaterEndsCancelled() async throws {
        try await Self.withChainRunOnce(length: 60) { harness, _ in
            let second = try await harness.engine.submit(RunRequest(pipeline: "chain"), namespace: "default")
            _ = try await harness.engine.cancel(second.id, namespace: "default", actor: .commandLine(user: "test"))
            _ = try await Self.drainDeferred(second.id, harness)
            let ended = try await harness.store.run(second.id, namespace: "default")
            #expect(ended.state == .canceled)
            #expect(ended.tasks.filter { $0.state == .cached }.count == Self.waves)
            #expect(ended.tasks.allSatisfy { $0.state.isFinal })
        }
    }
}
