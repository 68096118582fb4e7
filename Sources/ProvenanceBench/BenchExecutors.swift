import Foundation
import ProvenanceClient
import ProvenanceCore
import Synchronization

/// Executors inside the benchmark: each registers with the server like `provenance executor`, long-polls for as
/// many tasks as it has free slots, and completes each at once (a no-op step), reporting one output per declared
/// output, so the server does all its work (lease, fencing, lineage, readiness) and the steps none. Every
/// completion is recorded, so the benchmark can check that no task was lost or completed twice, and wait for a
/// run's completions.
final class BenchExecutors: Sendable {
    private struct State {
        var completions: [TaskID: (run: RunID, count: Int)] = [:]
        var perRun: [RunID: Int] = [:]
        var submitted: Set<RunID> = []
        var waiters: [RunID: (count: Int, continuation: CheckedContinuation<Void, Never>)] = [:]
        var expired: Set<RunID> = []
        var repeated = 0
        var refused = 0
    }

    private let client: ProvenanceClient
    private let executors: Int
    private let slots: Int
    private let state = Mutex(State())
    private let stopped = Mutex(false)

    /// How long one lease request waits for a task.
    private let pollWait: Duration

    /// `executors` executors with `slots` slots each, attached through `client`, each lease request waiting up to
    /// `pollWait` for a task.
    init(client: ProvenanceClient, executors: Int, slots: Int, pollWait: Duration = .seconds(1)) {
        self.client = client
        self.executors = executors
        self.slots = slots
        self.pollWait = pollWait
    }

    /// Runs the executors until `stop()`.
    func run(labels: [String: String] = [:]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<executors {
                let capacity = ExecutorCapacity(slots: slots, cpu: Double(slots), memoryMB: slots * 1024)
                let executor = try await client.registerExecutor(name: "bench-\(index)", labels: labels, capacity: capacity).executor
                group.addTask { try await self.executorLoop(executor.id) }
            }
            try await group.waitForAll()
        }
    }

    /// Ends the loops (within one poll).
    func stop() {
        stopped.withLock { $0 = true }
    }

    /// The slots of one executor in use, and a signal each time one frees.
    private final class Slots: Sendable {
        let inUse = Mutex(0)
        let freed = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

        func release() {
            inUse.withLock { $0 -= 1 }
            freed.continuation.yield()
        }

        func waitForOne() async {
            var iterator = freed.stream.makeAsyncIterator()
            _ = await iterator.next()
        }
    }

    private func executorLoop(_ executor: ExecutorID) async throws {
        let slots = Slots()
        try await withThrowingDiscardingTaskGroup { group in
            while !stopped.withLock({ $0 }) {
                let free = self.slots - slots.inUse.withLock { $0 }
                guard free > 0 else {
                    await slots.waitForOne()
                    continue
                }
                let leases = try await client.lease(
                    executor: executor, available: ExecutorCapacity(slots: free, cpu: Double(free), memoryMB: free * 1024),
                    maximum: free, wait: pollWait)
                slots.inUse.withLock { $0 += leases.count }
                for lease in leases {
                    group.addTask {
                        defer { slots.release() }
                        try await self.complete(lease)
                    }
                }
            }
        }
    }

    private func complete(_ lease: Lease) async throws {
        var outputs: [String: OutputReport] = [:]
        for output in lease.outputs { outputs[output.name] = OutputReport(uri: "bench://" + output.path) }
        let outcome: AttemptOutcome
        do {
            outcome = try await client.complete(lease.token, report: AttemptReport(outputs: outputs))
        } catch {
            guard error.code == .leaseLost else { throw error }
            state.withLock { $0.refused += 1 }
            return
        }
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            state.completions[lease.token.taskID, default: (lease.runID, 0)].count += 1
            if outcome.repeated { state.repeated += 1 }
            state.perRun[lease.runID, default: 0] += 1
            guard let waiter = state.waiters[lease.runID], state.perRun[lease.runID]! >= waiter.count else { return nil }
            state.waiters[lease.runID] = nil
            return waiter.continuation
        }
        waiter?.resume()
    }

    /// Returns once `count` tasks of run `run` (one the benchmark submitted) have been completed; throws if they
    /// have not within `limit` (a task lost or stuck: a benchmark must end, and say so).
    func waitForCompletions(of run: RunID, count: Int, within limit: Duration = .seconds(600)) async throws {
        state.withLock { _ = $0.submitted.insert(run) }
        let timer = Task { [self] in
            try? await Task.sleep(for: limit)
            let waiter = state.withLock { state in
                state.expired.insert(run)
                return state.waiters.removeValue(forKey: run)
            }
            waiter?.continuation.resume()
        }
        defer { timer.cancel() }
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                guard state.perRun[run, default: 0] < count, !state.expired.contains(run) else { return true }
                state.waiters[run] = (count, continuation)
                return false
            }
            if done { continuation.resume() }
        }
        let completed = state.withLock { $0.perRun[run, default: 0] }
        guard completed >= count else {
            throw BenchError("run \(run.rawValue): \(completed) of \(count) tasks completed within \(limit)")
        }
    }

    /// Tasks of the runs waited for that were completed, those completed more than once, repeated answers, and
    /// completions the server refused. (Tasks left queued by an earlier benchmark on the same database may be
    /// taken too; they are not counted.)
    var tally: (tasks: Int, twice: Int, repeated: Int, refused: Int) {
        state.withLock { state in
            let ours = state.completions.values.filter { state.submitted.contains($0.run) }
            return (ours.count, ours.filter { $0.count > 1 }.count, state.repeated, state.refused)
        }
    }
}
